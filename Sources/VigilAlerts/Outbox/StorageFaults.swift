import CoreMetrics
import Foundation
import Synchronization

/// What currently fails in the daemon's storage (outbox commits, delivery records, incident
/// updates, the spool), for `/healthz` and the `vigil_storage_faults` gauge.
///
/// A part reports a fault when a write fails and clears it when the next one succeeds, so a fault
/// lasts exactly as long as the condition (a full disk, a database locked by another process) and
/// the daemon recovers by itself.
public final class StorageFaults: Sendable {
    /// One failing part.
    public struct Fault: Sendable, Equatable {
        /// The part that fails, such as `alert-commit` or `delivery-record:hook`.
        public var component: String
        /// The latest error.
        public var error: String
        /// When it started failing (the first failure in a row).
        public var since: Date
        /// Failures in a row.
        public var failures: Int
    }

    private let faults = Mutex<[String: Fault]>([:])
    private let gauge: Gauge
    private let events: @Sendable (String) -> Counter

    /// Reports through `factory`.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        gauge = Gauge(label: "vigil_storage_faults", factory: factory)
        gauge.record(0)
        events = { Counter(label: "vigil_storage_fault_events_total", dimensions: [("component", $0)], factory: factory) }
    }

    /// Records that `component` failed with `error` at `now`.
    public func report(_ component: String, error: any Error, at now: Date = Date()) {
        let count = faults.withLock { faults in
            var fault = faults[component] ?? Fault(component: component, error: "", since: now, failures: 0)
            fault.error = "\(error)"
            fault.failures += 1
            faults[component] = fault
            return faults.count
        }
        events(component).increment()
        gauge.record(count)
    }

    /// Records that `component` works again.
    public func clear(_ component: String) {
        let count: Int? = faults.withLock { faults in
            guard faults.removeValue(forKey: component) != nil else { return nil }
            return faults.count
        }
        if let count { gauge.record(count) }
    }

    /// The parts failing now, by name.
    public var current: [Fault] {
        faults.withLock { $0.values.sorted { $0.component < $1.component } }
    }
}
