import Foundation
import Logging

/// The outbox and its sinks together: commits alerts for every sink and runs one worker per sink.
public final class DeliveryHub: Sendable {
    /// The durable queue.
    public let outbox: any AlertOutbox
    /// One worker per sink, in configuration order.
    public let workers: [DeliveryWorker]
    /// Storage failures of the workers and of whoever commits through the hub.
    public let faults: StorageFaults

    /// Creates a hub delivering to `sinks`, whose names must be unique.
    public init(
        outbox: any AlertOutbox, sinks: [any AlertSink], settings: DeliveryWorker.Settings = .init(),
        metrics: DeliveryMetrics = DeliveryMetrics(), faults: StorageFaults = StorageFaults(),
        logger: Logger = Logger(label: "vigil.delivery"), clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.outbox = outbox
        self.faults = faults
        workers = sinks.map {
            DeliveryWorker(sink: $0, outbox: outbox, settings: settings, metrics: metrics, faults: faults, logger: logger, clock: clock)
        }
    }

    /// The sinks' names.
    public var sinkNames: [String] { workers.map(\.sink.name) }

    /// Commits `alert` for every sink (durably, before returning) and wakes the workers; false
    /// when the outbox found the incident raised already (see ``AlertOutbox/enqueue(_:sinks:now:)``).
    @discardableResult
    public func commit(_ alert: RaisedAlert, now: Date = Date()) async throws(OutboxError) -> Bool {
        let committed = try await outbox.enqueue(alert, sinks: sinkNames, now: now)
        if committed { for worker in workers { worker.wake() } }
        return committed
    }

    /// Commits a match alert, as the alert of either kind above.
    @discardableResult
    public func commit(_ alert: Alert, now: Date = Date()) async throws(OutboxError) -> Bool {
        try await commit(.match(alert), now: now)
    }

    /// Puts `sink`'s dead letters (of alerts `from` through `through`, when given) back in its
    /// queue and wakes its worker; returns how many.
    public func replay(sink: String, from: AlertID? = nil, through: AlertID? = nil, now: Date = Date()) async throws(OutboxError) -> Int {
        let requeued = try await outbox.requeueDead(sink: sink, from: from, through: through, at: now)
        for worker in workers where worker.sink.name == sink { worker.wake() }
        return requeued
    }

    /// Runs every worker until the calling task is cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { await worker.run() }
            }
        }
    }
}
