import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A webhook endpoint on 127.0.0.1 for tests: records every request and answers 200 (or what
/// `respond` says). `stop()` and `start(port:)` again on the same port simulate an outage.
public final class WebhookReceiver: Sendable {
    public struct Request: Sendable {
        public var headers: [String: String]
        public var body: Data
        public var receivedAt: Date
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    private final class Log: Sendable {
        let requests = Mutex<[Request]>([])
    }
    private let log = Log()
    private let server = Mutex<(task: Task<Void, any Error>?, port: Int)>((nil, 0))
    /// Holds the port while the receiver is stopped, so that no other test's server takes it.
    private let placeholder = Mutex<RefusingLoopbackPort?>(nil)
    /// Decides the status of each request (default: 200).
    public let respond: @Sendable (Request) -> HTTPResponse.Status

    public init(respond: @escaping @Sendable (Request) -> HTTPResponse.Status = { _ in .ok }) {
        self.respond = respond
    }

    public var received: [Request] { log.requests.withLock { $0 } }
    public var port: Int { server.withLock { $0.port } }
    public var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Starts listening (port 0 picks a free one) and returns once the socket is bound.
    public func start(port: Int = 0) async throws {
        let router = Router()
        let receive: @Sendable (Hummingbird.Request, BasicRequestContext) async throws -> Response = { [log, respond] request, _ in
            let buffer = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let received = Request(headers: headers, body: Data(buffer: buffer), receivedAt: Date())
            log.requests.withLock { $0.append(received) }
            return Response(status: respond(received))
        }
        router.post("/hook", use: receive)
        // Receivers that take a token in the path, as many hosted ones do.
        router.post("/hooks/**", use: receive)
        let bound = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), reuseAddress: true),
            onServerRunning: { channel in
                bound.continuation.yield(channel.localAddress?.port ?? 0)
                bound.continuation.finish()
            })
        let task = Task { try await app.run() }
        var iterator = bound.stream.makeAsyncIterator()
        let actual = await iterator.next() ?? 0
        server.withLock { $0 = (task, actual) }
        placeholder.withLock { $0 = nil }
    }

    /// Stops listening: connections are refused until `start(port:)` is called again, and the
    /// port stays reserved for this receiver until then.
    public func stop() async {
        let task = server.withLock { $0.task }
        task?.cancel()
        _ = await task?.result
        let port = server.withLock { state in
            state.task = nil
            return state.port
        }
        if task != nil, port != 0 { placeholder.withLock { $0 = try? RefusingLoopbackPort(port: port) } }
    }

    /// Waits until `count` requests arrived or `timeout` passes; returns what arrived.
    public func waitFor(count: Int, timeout: Duration) async -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let now = received
            if now.count >= count { return now }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return received
    }
}
