/// Why the outbox could not do what was asked.
public struct OutboxError: Error, Sendable, CustomStringConvertible {
    /// What was being done, e.g. `opening /var/lib/vigil/vigil.sqlite`.
    public var operation: String
    /// The underlying reason.
    public var reason: String
    /// Whether the database file is damaged (not a database, or failing SQLite's integrity
    /// check): retrying cannot help.
    public var isCorrupt: Bool

    /// Creates an error.
    public init(operation: String, reason: String, isCorrupt: Bool = false) {
        self.operation = operation
        self.reason = reason
        self.isCorrupt = isCorrupt
    }

    public var description: String { "outbox: \(operation): \(reason)" }
}
