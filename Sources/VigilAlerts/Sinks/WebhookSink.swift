import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts each alert as JSON to an HTTP(S) endpoint, signed (``WebhookSignature``) and carrying an
/// `Idempotency-Key` header, so that a receiver seeing an alert twice (at-least-once delivery) can
/// tell.
///
/// Any 2xx answer acknowledges the alert; anything else, a timeout or a connection error is a
/// failed try that the ``DeliveryWorker`` retries with backoff. Redirects are not followed: a
/// signed alert goes only to the configured address.
public struct WebhookSink: AlertSink {
    /// Where and how to post.
    public struct Settings: Sendable, Equatable {
        /// The endpoint, `http://` or `https://`.
        public var url: String
        /// The HMAC key shared with the receiver.
        public var secret: String
        /// Longest a whole request may take, connection included.
        public var timeout: Duration

        /// Creates settings.
        public init(url: String, secret: String, timeout: Duration = .seconds(10)) {
            self.url = url
            self.secret = secret
            self.timeout = timeout
        }
    }

    public let name: String
    /// The settings in force.
    public let settings: Settings
    private let client: HTTPClient
    private let clock: @Sendable () -> Date

    /// Creates a sink that posts through `client` (shared by every webhook; see
    /// ``makeHTTPClient(connectTimeout:)``).
    public init(name: String, settings: Settings, client: HTTPClient, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.name = name
        self.settings = settings
        self.client = client
        self.clock = clock
    }

    /// An HTTP client suited to webhooks: bounded connect time, no redirects. Shut it down after use.
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(5)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = HTTPClient.Configuration.Timeout(
            connect: .nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000
                + connectTimeout.components.attoseconds / 1_000_000_000))
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func deliver(_ delivery: OutgoingAlert) async throws {
        let timestamp = Int(clock().timeIntervalSince1970)
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "vigil-webhook/1")
        request.headers.add(name: "Idempotency-Key", value: delivery.idempotencyKey)
        request.headers.add(name: "X-Vigil-Alert-Id", value: delivery.alertID.rawValue)
        request.headers.add(name: "X-Vigil-Attempt", value: String(delivery.attempt))
        request.headers.add(name: WebhookSignature.timestampHeader, value: String(timestamp))
        request.headers.add(
            name: WebhookSignature.signatureHeader,
            value: WebhookSignature.sign(body: delivery.body, timestamp: timestamp, secret: settings.secret))
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        let seconds = Int64(settings.timeout.components.seconds)
        let nanos = settings.timeout.components.attoseconds / 1_000_000_000
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(seconds * 1_000_000_000 + nanos))
        } catch {
            throw WebhookError.transport(url: settings.url, reason: "\(error)")
        }
        // Read (a little of) the answer so the connection can be reused, and to report why it failed.
        let answer = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
        guard (200..<300).contains(response.status.code) else {
            throw WebhookError.status(url: settings.url, code: Int(response.status.code), body: answer)
        }
    }
}

/// Why a webhook try failed.
public enum WebhookError: Error, Sendable, CustomStringConvertible {
    /// No answer: connection refused, timeout, TLS failure...
    case transport(url: String, reason: String)
    /// The receiver answered with a status other than 2xx.
    case status(url: String, code: Int, body: String)

    /// Whether the receiver answered (with an error status), as opposed to not being reached.
    public var receiverAnswered: Bool {
        if case .status = self { return true }
        return false
    }

    /// Whether the receiver refused the alert for good: a 4xx other than 408 (timeout) and 429
    /// (slow down). Trying the same request again cannot succeed until the receiver is fixed.
    public var isPermanent: Bool {
        guard case .status(_, let code, _) = self else { return false }
        return (400..<500).contains(code) && code != 408 && code != 429
    }

    /// The failure, naming the receiver without its path or query (see ``ShownEndpoint``).
    public var description: String {
        switch self {
        case .transport(let url, let reason):
            return "\(ShownEndpoint(url)): \(reason)"
        case .status(let url, let code, let body):
            let excerpt = body.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(200)
            return "\(ShownEndpoint(url)): HTTP \(code)" + (excerpt.isEmpty ? "" : " \(excerpt)")
        }
    }
}
