import Synchronization

/// A value that can be replaced while other threads read it: readers always get a complete old
/// or complete new value, never a mix.
///
/// Used to reload banks: the new index is built off to the side, then published in one step; queries
/// already running keep the snapshot they started with.
public final class HotSwappable<Value: Sendable>: Sendable {
    private let current: Mutex<Value>

    public init(_ value: Value) {
        current = Mutex(value)
    }

    /// The value now.
    public func load() -> Value {
        current.withLock { $0 }
    }

    /// Publishes `value` and returns the one it replaced.
    @discardableResult
    public func store(_ value: Value) -> Value {
        current.withLock { old in
            let previous = old
            old = value
            return previous
        }
    }
}
