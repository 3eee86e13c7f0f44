import Foundation

/// How long the head of a sink's queue has been failing while its receiver answered: the age that
/// dead-lettering counts, as a pure state machine the ``DeliveryWorker`` drives.
///
/// Time while the receiver cannot be reached (no answer at all) does not count: after an outage
/// longer than `dead_letter_after`, the backlog is delivered, not thrown away. Time between two
/// failures both answered by the receiver (an error status) does. The count is per alert, and
/// held in memory: a restart starts it over, which errs toward delivering.
struct ReachableFailure: Sendable {
    private var sequence: Int64?
    private var lastAnswered: Date?
    /// Seconds the current alert has failed with its receiver answering.
    private(set) var seconds: TimeInterval = 0

    /// Records a failed try of delivery `sequence` at `now`; `answered` when the receiver gave an
    /// answer (an error status), false when it could not be reached. Returns the seconds counted.
    mutating func failed(sequence: Int64, answered: Bool, at now: Date) -> TimeInterval {
        if sequence != self.sequence {
            self = ReachableFailure()
            self.sequence = sequence
        }
        guard answered else {
            lastAnswered = nil
            return seconds
        }
        if let lastAnswered { seconds += max(0, now.timeIntervalSince(lastAnswered)) }
        lastAnswered = now
        return seconds
    }
}
