/// Why the outbox could not do what was asked.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    /// What was being done, e.g. `opening /var/lib/vigil/vigil.sqlite`.
    public var operation: String
    /// The underlying reason.
    public var reason: String

    /// Creates an error.
    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "outbox: \(operation): \(reason)" }
}
