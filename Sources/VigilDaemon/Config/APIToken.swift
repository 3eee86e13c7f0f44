/// A bearer token the API accepts, and what it may do.
public struct APIToken: Sendable, Equatable {
    /// What a token may do.
    public enum Scope: String, Sendable, Comparable, CaseIterable {
        /// Read every route (`GET`), `/metrics` included: for dashboards and scrapers.
        case read
        /// Everything `read` may, and change streams, banks and the rest (`POST`, `DELETE`).
        case admin

        public static func < (lhs: Scope, rhs: Scope) -> Bool {
            lhs == .read && rhs == .admin
        }
    }

    /// The secret a client sends as `Authorization: Bearer <token>`.
    public var token: String
    /// What requests carrying it may do.
    public var scope: Scope

    /// Creates a token with a scope.
    public init(token: String, scope: Scope) {
        self.token = token
        self.scope = scope
    }

    /// The fewest characters a token may have: shorter ones can be guessed.
    public static let minimumLength = 16
}
