import HTTPTypes
import Hummingbird

/// Answers `405 Method Not Allowed` with an `Allow` header, instead of the router's 404, when the
/// path names a route that exists for other methods: a client that sent the wrong method learns
/// which ones work, as HTTP asks.
///
/// Added after every route, so it wraps only the router's not-found answer.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path and the methods it accepts.
    private let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    init(routes: [Router<Context>.RouteDescription]) {
        var byPath: [(path: RouterPath, methods: [HTTPRequest.Method])] = []
        for route in routes {
            if let index = byPath.firstIndex(where: { $0.path == route.path }) {
                byPath[index].methods.append(route.method)
            } else {
                byPath.append((route.path, [route.method]))
            }
        }
        self.routes = byPath
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = allowedMethods(path: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            let names = allowed.map(\.rawValue).sorted()
            throw APIError(
                .methodNotAllowed, "\(request.method.rawValue) is not allowed on \(request.uri.path); use \(names.joined(separator: " or "))",
                allow: names)
        }
    }

    /// The methods of every route whose path matches `path`, captures matching any segment.
    func allowedMethods(path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            route.path.components.count == segments.count
                && zip(route.path.components, segments).allSatisfy { element, segment in element ~= segment }
        }.flatMap(\.methods)
    }
}
