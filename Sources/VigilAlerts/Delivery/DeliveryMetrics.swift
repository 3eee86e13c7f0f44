import CoreMetrics
import Foundation

/// The delivery side's metrics, created through an explicit factory so that several daemons (tests)
/// can live in one process without a global bootstrap.
public struct DeliveryMetrics: Sendable {
    private let factory: any MetricsFactory

    /// Records through `factory` (`MetricsSystem.factory` when the process bootstrapped one).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// From the frame's arrival in the pipeline to the sink's acknowledgement.
    func latency(sink: String) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: "vigil_alert_delivery_latency_seconds", dimensions: [("sink", sink)],
                          preferredDisplayUnit: .seconds, factory: factory)
    }

    func attempts(sink: String, result: String) -> Counter {
        Counter(label: "vigil_alert_delivery_attempts_total", dimensions: [("sink", sink), ("result", result)], factory: factory)
    }

    func deadLetters(sink: String) -> Counter {
        Counter(label: "vigil_alert_dead_letters_total", dimensions: [("sink", sink)], factory: factory)
    }

    /// Outbox writes of a delivery's outcome that failed and were retried (disk full, locked).
    func recordFailures(sink: String) -> Counter {
        Counter(label: "vigil_outbox_record_failures_total", dimensions: [("sink", sink)], factory: factory)
    }

    func depth(sink: String) -> Meter {
        Meter(label: "vigil_outbox_depth", dimensions: [("sink", sink)], factory: factory)
    }
}
