import AsyncAlgorithms
import CoreMetrics
import Foundation
import Logging
import Synchronization

/// Delivers one sink's queue from the outbox, in order, at least once.
///
/// Only the oldest pending alert of the sink is ever tried: while it fails, the alerts behind it
/// wait (per-sink order is part of the contract), with exponential backoff between tries. An alert
/// is marked dead, and the queue moves on, when the receiver refuses it for good (a 4xx other than
/// 408 and 429: at once, with the answer recorded) or has kept answering with errors for
/// ``Settings/deadLetterAfter`` (``ReachableFailure``: time the receiver cannot be reached does
/// not count). Dead letters can be put back in the queue
/// (``AlertOutbox/requeueDead(sink:from:through:at:)``). Every state change is written to the
/// outbox before the next step, so a crash resumes exactly where delivery stood, at worst
/// repeating the one alert in flight.
public final class DeliveryWorker: Sendable {
    /// Tunables.
    public struct Settings: Sendable, Equatable {
        /// Backoff between tries.
        public var retry: RetryPolicy
        /// Seconds an alert may fail while its receiver answers before it is dead-lettered.
        public var deadLetterAfter: TimeInterval
        /// How often an idle worker looks at the outbox even without being woken, in seconds
        /// (alerts committed by another process, a missed wake-up).
        public var idlePoll: TimeInterval

        /// Creates settings; by default alerts are retried for a day.
        public init(retry: RetryPolicy = RetryPolicy(), deadLetterAfter: TimeInterval = 86_400, idlePoll: TimeInterval = 5) {
            self.retry = retry
            self.deadLetterAfter = deadLetterAfter
            self.idlePoll = max(0.01, idlePoll)
        }
    }

    /// The sink served.
    public let sink: any AlertSink
    /// The settings in force.
    public let settings: Settings
    private let outbox: any AlertOutbox
    private let clock: @Sendable () -> Date
    private let logger: Logger
    /// Rings from ``wake()``. One kept while the worker is busy is all it needs: it looks at the
    /// whole queue when it wakes.
    private let rings = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let metrics: DeliveryMetrics
    private let faults: StorageFaults
    /// The head's failing time; only ``run()`` touches it, one attempt at a time.
    private let failing = Mutex(ReachableFailure())

    /// Creates a worker; call ``run()`` in a task of its own.
    public init(
        sink: any AlertSink, outbox: any AlertOutbox, settings: Settings = Settings(), metrics: DeliveryMetrics = DeliveryMetrics(),
        faults: StorageFaults = StorageFaults(), logger: Logger = Logger(label: "vigil.delivery"),
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sink = sink
        self.outbox = outbox
        self.settings = settings
        self.metrics = metrics
        self.faults = faults
        self.logger = logger
        self.clock = clock
    }

    /// Tells the worker that alerts were committed, so an idle worker starts at once.
    public func wake() {
        rings.continuation.yield()
    }

    /// Delivers until the task is cancelled. An alert being sent when cancellation comes stays
    /// pending unless its sink acknowledged it, and goes out again on the next start. Call it once.
    public func run() async {
        var logger = logger
        logger[metadataKey: "sink"] = "\(sink.name)"
        let depth = metrics.depth(sink: sink.name)
        // An idle worker wakes on a ring or at the idle poll, whichever comes first.
        let idlePoll = AsyncTimerSequence.repeating(every: .milliseconds(Int(settings.idlePoll * 1000))).map { _ in }
        var wakeUps = merge(rings.stream, idlePoll).makeAsyncIterator()
        let reading = "outbox-read:\(sink.name)"
        while !Task.isCancelled {
            do {
                depth.set(try await outbox.pendingCount(sink: sink.name))
                let head = try await outbox.head(sink: sink.name)
                faults.clear(reading)
                guard let head else {
                    _ = await wakeUps.next()
                    continue
                }
                let now = clock()
                let wait = head.record.nextAttemptAt.timeIntervalSince(now)
                if wait > 0 {
                    // Backing off; a ring (new alerts) does not shorten it, only the due time does.
                    // It is looked at again at least every idle poll: the head may have changed
                    // (dead letters put back before it) and the clock may not be the wall's.
                    try await Task.sleep(for: .milliseconds(Int((min(wait, settings.idlePoll) * 1000).rounded(.up))))
                    continue
                }
                try await attempt(head, logger: logger)
            } catch is CancellationError {
                break
            } catch {
                // The database itself failed; nothing was lost (the alert is still pending), so
                // pause and try again rather than spin.
                logger.error("outbox unavailable", metadata: ["error": "\(error)"])
                faults.report(reading, error: error)
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func attempt(_ head: PendingDelivery, logger: Logger) async throws {
        let record = head.record
        let outgoing = OutgoingAlert(
            alertID: record.alertID, body: head.body, attempt: record.attempts + 1, idempotencyKey: record.idempotencyKey)
        do {
            try await sink.deliver(outgoing)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let now = clock()
            metrics.attempts(sink: sink.name, result: "failure").increment()
            let failures = record.attempts + 1
            let answer = error as? WebhookError
            let counted = failing.withLock {
                $0.failed(sequence: record.sequence, answered: answer?.receiverAnswered ?? false, at: now)
            }
            if answer?.isPermanent == true || counted >= settings.deadLetterAfter {
                try await recording("dead letter \(record.alertID)", logger: logger) {
                    try await self.outbox.markDead(record.sequence, error: "\(error)", countAttempt: true, at: now)
                }
                metrics.deadLetters(sink: sink.name).increment()
                logger.error("alert dead-lettered", metadata: [
                    "alert": "\(record.alertID)", "attempts": "\(failures)", "error": "\(error)",
                    "reason": "\(answer?.isPermanent == true ? "refused by the receiver" : "failing for \(Int(counted)) s with the receiver answering")",
                ])
                return
            }
            let delay = settings.retry.delay(afterFailures: failures)
            try await recording("failed try of \(record.alertID)", logger: logger) {
                try await self.outbox.markFailed(record.sequence, error: "\(error)", retryAt: now.addingTimeInterval(delay), at: now)
            }
            logger.warning("alert delivery failed; will retry", metadata: [
                "alert": "\(record.alertID)", "attempt": "\(failures)", "retry_in_s": "\(String(format: "%.2f", delay))",
                "error": "\(error)",
            ])
            return
        }
        let now = clock()
        // The receiver has it: what remains is writing that down, retried as a write (never as
        // a new delivery) until it holds. A crash meanwhile delivers it again under the same
        // idempotency key.
        try await recording("delivery of \(record.alertID)", logger: logger) {
            try await self.outbox.markDelivered(record.sequence, at: now)
        }
        metrics.attempts(sink: sink.name, result: "success").increment()
        // Latency is from the matching frame's arrival; a stream-health alert has no frame.
        if let alert = try? AlertCoding.decode(head.body).match {
            let latency = max(0, now.timeIntervalSince(alert.frame.observedAt))
            metrics.latency(sink: sink.name).recordNanoseconds(Int64(latency * 1e9))
        }
        logger.debug("alert delivered", metadata: ["alert": "\(record.alertID)", "attempt": "\(outgoing.attempt)"])
    }

    /// Runs an outbox write until it succeeds, backing off as deliveries do; only cancellation
    /// ends it early. The outcome it records is known, so trying the sink again would only send
    /// the alert twice.
    private func recording(_ what: String, logger: Logger, _ write: () async throws -> Void) async throws {
        var failures = 0
        let component = "delivery-record:\(sink.name)"
        while true {
            do {
                try await write()
                if failures > 0 {
                    faults.clear(component)
                    logger.notice("outbox write succeeded after failing", metadata: ["write": "\(what)", "failures": "\(failures)"])
                }
                return
            } catch {
                failures += 1
                faults.report(component, error: error)
                metrics.recordFailures(sink: sink.name).increment()
                let delay = settings.retry.delay(afterFailures: failures)
                logger.error("cannot record in the outbox; retrying the write", metadata: [
                    "write": "\(what)", "failures": "\(failures)", "retry_in_s": "\(String(format: "%.2f", delay))", "error": "\(error)",
                ])
                try await Task.sleep(for: .milliseconds(Int((delay * 1000).rounded(.up))))
            }
        }
    }
}
