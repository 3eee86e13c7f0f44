import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Requires `Authorization: Bearer <token>` on every route but `/healthz`.
///
/// The comparison is constant-time over SHA-256 digests of both sides, so neither the token's
/// content nor its length can be learnt by timing failed requests.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The token in force (replaced on config reload).
    let token: @Sendable () -> String
    /// Paths that need no token.
    let openPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw Self.unauthorized("missing Authorization: Bearer <token> header")
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw Self.unauthorized("the Authorization header must be 'Bearer <token>'")
        }
        let given = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard Self.constantTimeEqual(given, token()) else {
            throw Self.unauthorized("invalid token")
        }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = SHA256.hash(data: Data(lhs.utf8))
        let right = SHA256.hash(data: Data(rhs.utf8))
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }

    private static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message)
    }
}
