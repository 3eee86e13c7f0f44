import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Synchronization

/// Requires `Authorization: Bearer <token>` on every route but the open ones (`/healthz`), and
/// a token whose scope allows the request: `read` for `GET` and `HEAD` (`/metrics` included),
/// `admin` for everything else.
///
/// Tokens are compared in constant time over SHA-256 digests, every configured token each time,
/// so neither a token's content, its length nor which one matched can be learnt by timing. A
/// failed attempt is logged with the client's address and never the token, and answered after a
/// delay that grows with the client's failures in a row (``FailedAuthentications``).
struct BearerAuthMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    /// The tokens in force (replaced on config reload).
    let tokens: @Sendable () -> [APIToken]
    /// Paths that need no token.
    let openPaths: Set<String>
    let logger: Logger
    /// The lock shell around the failure counts, shared by every copy of the middleware.
    private final class Failures: Sendable {
        let state = Mutex(FailedAuthentications())
    }
    private let failures = Failures()
    /// Waits out the delays: real time, since slowing a guesser is about the wall clock.
    let clock = ContinuousClock()
    let started = ContinuousClock.now

    init(tokens: @escaping @Sendable () -> [APIToken], openPaths: Set<String>, logger: Logger) {
        self.tokens = tokens
        self.openPaths = openPaths
        self.logger = logger
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        let client = context.remoteAddress?.ipAddress ?? "unknown"
        guard let header = request.headers[.authorization] else {
            throw await refuse(client: client, request: request, reason: "missing Authorization: Bearer <token> header")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw await refuse(client: client, request: request, reason: "the Authorization header must be 'Bearer <token>'")
        }
        let given = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard let scope = Self.scope(of: given, among: tokens()) else {
            throw await refuse(client: client, request: request, reason: "invalid token")
        }
        failures.state.withLock { $0.succeeded(client: client) }
        let needed: APIToken.Scope = request.method == .get || request.method == .head ? .read : .admin
        guard scope >= needed else {
            logger.notice("API request refused: the token's scope is too narrow", metadata: [
                "client": "\(client)", "method": "\(request.method)", "path": "\(request.uri.path)", "scope": "\(scope.rawValue)",
            ])
            throw APIError(.forbidden, "this token may only read (scope \(scope.rawValue)); changes need an admin token")
        }
        return try await next(request, context)
    }

    /// The scope of the configured token equal to `given`, or nil; every token is compared.
    static func scope(of given: String, among tokens: [APIToken]) -> APIToken.Scope? {
        var found: APIToken.Scope?
        for token in tokens where constantTimeEqual(given, token.token) {
            found = max(found ?? token.scope, token.scope)
        }
        return found
    }

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = SHA256.hash(data: Data(lhs.utf8))
        let right = SHA256.hash(data: Data(rhs.utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    /// Logs the failure, waits as long as the client's failures in a row call for, and returns
    /// the error to answer with.
    private func refuse(client: String, request: Request, reason: String) async -> APIError {
        let (count, delay) = failures.state.withLock { $0.failed(client: client, now: (clock.now - started) / .seconds(1)) }
        logger.warning("API authentication failed", metadata: [
            "client": "\(client)", "method": "\(request.method)", "path": "\(request.uri.path)", "reason": "\(reason)",
            "failures_in_a_row": "\(count)", "delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
        ])
        if delay > .zero { try? await clock.sleep(for: delay) }
        return APIError(.unauthorized, reason)
    }
}
