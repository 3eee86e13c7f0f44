import Synchronization

/// One allowance of memory shared by many streams' readers: each reserves its estimate
/// (``StreamLimits/estimatedBytes(width:height:bufferedFrames:)``) while its connection is open,
/// and gives it back when the connection ends or its pictures shrink.
///
/// A per-stream limit bounds one stream; this bounds them all, so streams that each stay under
/// their own limit (or one whose controller raises its picture size) cannot together take the
/// daemon's memory. A reader refused a reservation fails its connection with
/// ``MediaError/memoryBudgetExhausted(url:bytes:budget:)``, which a live session retries.
public final class MemoryBudget: Sendable, Equatable {
    /// Bytes all readers together may reserve.
    public let limit: Int
    private let reserved = Mutex(0)

    /// Creates a budget of `limit` bytes.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Bytes reserved now.
    public var inUse: Int { reserved.withLock { $0 } }

    /// Takes `bytes` more; false, taking nothing, when that would pass the limit.
    public func reserve(_ bytes: Int) -> Bool {
        reserved.withLock { reserved in
            guard bytes <= limit - reserved else { return false }
            reserved += bytes
            return true
        }
    }

    /// Gives `bytes` back.
    public func release(_ bytes: Int) {
        reserved.withLock { $0 = max(0, $0 - bytes) }
    }

    /// Moves a reader's holding from `held` bytes to `bytes`: gives back the difference, or takes
    /// it; false, leaving `held` as it was, when taking it would pass the limit.
    public func move(_ held: inout Int, to bytes: Int) -> Bool {
        if bytes < held {
            release(held - bytes)
        } else if bytes > held, !reserve(bytes - held) {
            return false
        }
        held = bytes
        return true
    }

    /// Budgets are shared by reference: two are the same budget only if they are one object.
    public static func == (lhs: MemoryBudget, rhs: MemoryBudget) -> Bool { lhs === rhs }
}
