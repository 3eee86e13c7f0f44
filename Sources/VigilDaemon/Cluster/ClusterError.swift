/// Why the fleet's database could not be used: which database, and what went wrong.
public struct ClusterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong.
    public enum Reason: Sendable, Equatable {
        /// The database holds a schema of a newer version than this node knows: a newer node
        /// migrated it, and this one must not write tables it does not understand.
        case schemaTooNew(found: Int, known: Int)
        /// PostgreSQL refused or failed a statement (its message included).
        case database(String)
        /// No answer within the deadline (the server or the network is down).
        case timedOut(operation: String, seconds: Double)
        /// The `cluster` settings are wrong.
        case configuration(String)
    }

    /// The database, as its URL without credentials.
    public var database: String
    /// What went wrong.
    public var reason: Reason

    /// Creates an error about `database`.
    public init(database: String, reason: Reason) {
        self.database = database
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .schemaTooNew(let found, let known):
            return "\(database): the schema is at version \(found), newer than this node knows (\(known)); upgrade this node"
        case .database(let message):
            return "\(database): \(message)"
        case .timedOut(let operation, let seconds):
            return "\(database): \(operation) got no answer within \(seconds) s"
        case .configuration(let message):
            return "\(database): \(message)"
        }
    }
}
