import Logging
import Synchronization

/// Rows of the fleet's tables this node cannot read — written by a newer node during a rolling
/// upgrade, or by hand — skipped rather than failing every round, and reported once each.
final class UnreadableRows: Sendable {
    private let reported = Mutex<Set<String>>([])

    /// `decode(text)`, or nil (reported the first time) when the row cannot be read.
    func read<T>(_ text: String, logger: Logger, _ decode: (String) throws(ClusterError) -> T) -> T? {
        do {
            return try decode(text)
        } catch {
            let first = reported.withLock { $0.insert(text).inserted }
            if first {
                logger.error("a row of the fleet's database cannot be read; skipped", metadata: [
                    "error": "\(error)", "row": "\(text.prefix(200))",
                ])
            }
            return nil
        }
    }
}
