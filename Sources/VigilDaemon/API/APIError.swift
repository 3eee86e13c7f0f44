import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An API failure: an HTTP status and a message a person can act on, sent as
/// `{"error":{"status":400,"message":"…"}}`.
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    /// What went wrong, in words.
    public var message: String
    /// Seconds after which the client may try again (`Retry-After`), when the refusal is
    /// temporary (a full queue).
    public var retryAfter: Int?
    /// The methods the route accepts (`Allow`), when the refusal is for the method (405).
    public var allow: [String]

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ message: String, retryAfter: Int? = nil, allow: [String] = []) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
        self.allow = allow
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status: status, ErrorBody(error: .init(status: Int(status.code), message: message)))
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        if !allow.isEmpty { response.headers[.allow] = allow.joined(separator: ", ") }
        return response
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var status: Int
            var message: String
        }
        var error: Detail
    }
}

/// JSON responses with the alert encoder's conventions (sorted keys, millisecond UTC dates).
enum JSONResponse {
    static func make(status: HTTPResponse.Status = .ok, _ value: some Encodable) -> Response {
        var status = status
        let data: Data
        do {
            data = try APICoding.encoder.encode(value)
        } catch {
            status = .internalServerError
            data = Data(#"{"error":{"status":500,"message":"encoding failed"}}"#.utf8)
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
