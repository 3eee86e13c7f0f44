import Synchronization

/// The live counters of one session, written by its reader thread and read from anywhere.
final class CounterStore: Sendable {
    private let counters = Mutex(StreamCounters())
    /// How many refused URLs are kept: enough to report, bounded whatever a playlist repeats.
    static let refusalMemory = 16

    var snapshot: StreamCounters { counters.withLock { $0 } }

    /// Changes the counters under the lock; returns what `change` returns (a value read in the
    /// same step, such as a count just incremented).
    @discardableResult
    func update<Result: Sendable>(_ change: (inout StreamCounters) -> Result) -> Result {
        counters.withLock { change(&$0) }
    }

    /// Records a URL refused by the protocol whitelist.
    func refused(_ url: String) {
        counters.withLock { counters in
            counters.refusedOpens += 1
            counters.refusedURLs.append(url)
            if counters.refusedURLs.count > Self.refusalMemory { counters.refusedURLs.removeFirst() }
        }
    }
}
