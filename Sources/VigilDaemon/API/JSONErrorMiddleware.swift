import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Turns every failure into a JSON error body, so clients always get `{"error":{…}}`: unknown
/// routes (404), wrong methods, oversized bodies (413), and unexpected errors (500, logged, with
/// no internals in the response). The daemon carries on whatever a request did.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            let message = error.body ?? Self.defaultMessage(error.status)
            return JSONResponse.make(status: error.status, APIError.ErrorBody(error: .init(status: Int(error.status.code), message: message)))
        } catch is NIOTooManyBytesError {
            return try APIError(.contentTooLarge, "the request body is too large").response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return JSONResponse.make(status: error.status, APIError.ErrorBody(error: .init(status: Int(error.status.code), message: Self.defaultMessage(error.status))))
        } catch {
            logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return try APIError(.internalServerError, "internal error; see the daemon's log").response(from: request, context: context)
        }
    }

    private static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: return "no such route"
        case .methodNotAllowed: return "method not allowed on this route"
        case .contentTooLarge: return "the request body is too large"
        default: return status.reasonPhrase
        }
    }
}
