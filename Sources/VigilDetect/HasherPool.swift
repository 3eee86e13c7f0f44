import Foundation
import VigilHash

/// A set of reusable ``PDQHasher``s shared by concurrent hashing tasks.
///
/// A hasher keeps large working buffers, so tasks borrow one instead of building their own per
/// frame. Each hasher is used by exactly one task at a time: it is only reachable between `take`
/// and `give` under the lock, which is what makes the unchecked `Sendable` sound.
public final class HasherPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [PDQHasher] = []
    private let lumaPrecision: LumaPrecision

    /// Creates an empty pool whose hashers use `lumaPrecision`.
    public init(lumaPrecision: LumaPrecision) {
        self.lumaPrecision = lumaPrecision
    }

    /// Runs `body` with a hasher that no other task is using.
    public func withHasher<Result>(_ body: (PDQHasher) -> Result) -> Result {
        let hasher = take()
        defer { give(hasher) }
        return body(hasher)
    }

    private func take() -> PDQHasher {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast() ?? PDQHasher(lumaPrecision: lumaPrecision)
    }

    private func give(_ hasher: PDQHasher) {
        lock.lock()
        defer { lock.unlock() }
        idle.append(hasher)
    }
}
