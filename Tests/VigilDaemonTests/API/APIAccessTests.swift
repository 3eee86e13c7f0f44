import Foundation
import NIOHTTP1
import Testing
import VigilTestSupport

/// Scoped tokens on every route, and failed logins logged and slowed, through the built binary.
@Suite("API access with scoped tokens", .serialized)
struct APIAccessTests {
    static let readToken = "read-token-0123456789abcdef"
    static let wrongToken = "wrong-token-GUESS-5e7d1c"

    /// Every route, and whether it changes anything.
    static let routes: [(method: HTTPMethod, path: String, changes: Bool)] = [
        (.GET, "/metrics", false), (.GET, "/v1/streams", false), (.GET, "/v1/streams/cam", false), (.GET, "/v1/nodes", false),
        (.GET, "/v1/alerts", false), (.GET, "/v1/alerts/01ARZ3NDEKTSV4RRFFQ69G5FAV", false), (.GET, "/v1/sinks", false),
        (.GET, "/v1/banks", false),
        (.POST, "/v1/streams", true), (.DELETE, "/v1/streams/cam", true), (.POST, "/v1/banks", true),
        (.DELETE, "/v1/banks/known", true), (.POST, "/v1/banks/known/reload", true), (.POST, "/v1/sinks/jsonl/replay", true),
    ]

    @Test("read tokens read every route and change none; admin tokens do both; failures are logged without the token and slowed",
          .timeLimit(.minutes(3)))
    func scopes() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = directory.appendingPathComponent("known.txt")
        try (String(repeating: "ab", count: 32) + "\n").write(to: bank, atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(port)
            api_token: \(TestDaemon.token)
            api_tokens:
              - {token: \(Self.readToken), scope: read}
            state_dir: \(directory.path)/state
            api: {bank_roots: [\(directory.path)]}
            alerts: {jsonl: \(directory.path)/alerts.jsonl}
            banks:
              - {name: known, path: \(bank.path)}
            streams:
              - {id: cam, url: "rtmp://127.0.0.1:1/live/cam"}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("serve.log"))
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil(timeout: .seconds(30)) { (try? await API.call(.GET, base + "/healthz"))?.status == 200 }

        for route in Self.routes {
            let url = base + route.path
            let method = route.method
            // Bodies the admin token gets refused for what they say (422), not for who sent them.
            let body = route.method == .POST ? Data("{}".utf8) : nil
            let read = try await API.call(method, url, token: Self.readToken, body: body)
            if route.changes {
                #expect(read.status == 403, "\(route.method) \(route.path) with a read token: \(read.status) \(read.text)")
                #expect(read.errorMessage?.contains("admin") == true, "\(read.text)")
            } else {
                #expect(read.status != 401 && read.status != 403, "\(route.method) \(route.path) with a read token: \(read.status)")
            }
            let admin = try await API.call(method, url, body: body)
            #expect(admin.status != 401 && admin.status != 403, "\(route.method) \(route.path) with the admin token: \(admin.status)")
            let none = try await API.call(method, url, token: nil, body: body)
            #expect(none.status == 401, "\(route.method) \(route.path) without a token: \(none.status)")
        }
        #expect(try await API.call(.GET, base + "/healthz", token: nil).status == 200)

        // Guessing: the first wrong token is answered at once, then each waits longer
        // (0.25 s, 0.5 s, 1 s); a right token starts the count over.
        let lenient = try await API.call(.GET, base + "/v1/streams", token: Self.readToken)
        #expect(lenient.status == 200)
        var waits: [Duration] = []
        for _ in 0..<4 {
            let started = ContinuousClock.now
            let guess = try await API.call(.GET, base + "/v1/streams", token: Self.wrongToken)
            waits.append(ContinuousClock.now - started)
            #expect(guess.status == 401)
        }
        #expect(waits[3] >= .milliseconds(950) && waits[2] >= .milliseconds(450) && waits[1] >= .milliseconds(200), "\(waits)")
        #expect(waits[0] < .milliseconds(200), "\(waits)")
        #expect(try await API.call(.GET, base + "/v1/streams", token: Self.readToken).status == 200)
        let started = ContinuousClock.now
        #expect(try await API.call(.GET, base + "/v1/streams", token: Self.wrongToken).status == 401)
        #expect(ContinuousClock.now - started < .milliseconds(200), "a valid token resets the count")

        #expect(await daemon.terminate(timeout: 15) == 0)
        let log = try String(contentsOf: daemon.log, encoding: .utf8)
        let failures = log.split(separator: "\n").filter { $0.contains("API authentication failed") }
        #expect(failures.count >= 5 + Self.routes.count, "\(failures.count) failures logged")
        #expect(failures.contains { $0.contains("127.0.0.1") && $0.contains("invalid token") && $0.contains("failures_in_a_row=4") }, "\(failures)")
        #expect(log.contains("the token's scope is too narrow"))
        #expect(!log.contains(Self.wrongToken) && !log.contains(Self.readToken) && !log.contains(TestDaemon.token), "a token was logged")
    }
}
