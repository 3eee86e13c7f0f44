import Synchronization
import VigilMedia

/// Watches a live input's session during a scan: reports each failed connection as it happens,
/// and gives up on an input that names something refused instead of anything to read (an ended
/// playlist whose only segment is a local file would otherwise be retried for good).
final class LiveInputWatch: Sendable {
    private let outcome: Outcome
    private let task: Task<Void, Never>

    /// Why the watch stopped the session, if it did.
    var failure: MediaError? { outcome.failure.withLock { $0 } }
    /// Why the last connection failed, if one did.
    var lastInterruption: MediaError? { outcome.last.withLock { $0 } }

    init(session: StreamSession, onInterruption: (@Sendable (MediaError) -> Void)?) {
        let outcome = Outcome()
        let changes = session.stateChanges()
        self.outcome = outcome
        task = Task {
            for await change in changes {
                guard change.state == .backoff, let reason = change.reason else { continue }
                outcome.last.withLock { $0 = reason }
                // A refusal is not tried again: the scan ends with it as its error.
                if case .refusedInput = reason {
                    outcome.failure.withLock { $0 = reason }
                    session.stop()
                    return
                }
                onInterruption?(reason)
            }
        }
    }

    /// Stops watching.
    func end() {
        task.cancel()
    }

    private final class Outcome: Sendable {
        let failure = Mutex<MediaError?>(nil)
        let last = Mutex<MediaError?>(nil)
    }
}
