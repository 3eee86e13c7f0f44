import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import Testing
import VigilDaemon
import VigilMedia
import VigilTestSupport

/// A daemon running in-process on 127.0.0.1 with a fresh state folder, for tests.
final class TestDaemon: Sendable {
    static let token = "test-token-0123456789abcdef"

    let daemon: Daemon
    let port: Int
    let stateDirectory: URL
    private let ownsDirectory: Bool
    private let task: Task<Void, any Error>

    /// Starts a daemon; `configure` adjusts the config (token, loopback port 0, temp state are set).
    static func start(
        stateDirectory: URL? = nil, sources: any FrameSourceFactory = IdleSourceFactory(),
        clock: any Clock<Duration> = ContinuousClock(), configure: (inout DaemonConfig) -> Void = { _ in }
    ) async throws -> TestDaemon {
        let directory = try stateDirectory ?? Fixtures.temporaryDirectory()
        var config = DaemonConfig(apiToken: token)
        config.listen = ListenAddress(host: "127.0.0.1", port: 0)
        config.stateDirectory = directory.path
        config.bankPollInterval = 0.2
        config.hashing.workers = 2
        // Tests' API streams point at loopback servers of their own: let them (the egress tests
        // put the default policy back).
        config.egress = EgressPolicy(allowHosts: [HostRule("127.0.0.0/8")!, HostRule("::1")!])
        // Scan jobs run in `vigil ingest` children; the running executable is the test runner.
        config.ingest.executable = try VigilExecutable.path()
        configure(&config)
        let daemon = try await Daemon(config: config, sources: sources, clock: clock)
        let task = Task { try await daemon.run(handleSignals: false) }
        let port = await daemon.port()
        return TestDaemon(daemon: daemon, port: port, stateDirectory: directory, ownsDirectory: stateDirectory == nil, task: task)
    }

    private init(daemon: Daemon, port: Int, stateDirectory: URL, ownsDirectory: Bool, task: Task<Void, any Error>) {
        self.daemon = daemon
        self.port = port
        self.stateDirectory = stateDirectory
        self.ownsDirectory = ownsDirectory
        self.task = task
    }

    /// Drains and waits for the daemon to stop; removes the state folder it made.
    func stop() async {
        await daemon.shutdown()
        _ = await task.result
        if ownsDirectory { try? FileManager.default.removeItem(at: stateDirectory) }
    }

    var base: String { "http://127.0.0.1:\(port)" }
}

/// One HTTP exchange with the API.
struct APIResponse: Sendable {
    var status: Int
    var body: Data
    var contentType: String?
    var retryAfter: String? = nil
    var allow: String? = nil

    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A small client for the daemon's API.
enum API {
    static let client = HTTPClient(eventLoopGroupProvider: .singleton)

    static func call(
        _ method: HTTPMethod, _ url: String, token: String? = TestDaemon.token, body: Data? = nil,
        headers: [(String, String)] = []
    ) async throws -> APIResponse {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let buffer = try await response.body.collect(upTo: 8 << 20)
        return APIResponse(
            status: Int(response.status.code), body: Data(buffer: buffer), contentType: response.headers.first(name: "content-type"),
            retryAfter: response.headers.first(name: "retry-after"), allow: response.headers.first(name: "allow"))
    }

    static func json(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }
}

/// Sessions that never produce a frame: for API tests that need streams but no media.
struct IdleSourceFactory: FrameSourceFactory {
    func makeSource(for stream: StreamSpec) -> any FrameSource { IdleSource() }
}

struct IdleSource: FrameSource {
    func run(_ emit: @escaping @Sendable (Frame) -> Void) async {
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(1)) }
    }

    var status: SourceStatus { SourceStatus(state: .connecting) }
}
