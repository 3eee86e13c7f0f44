import Foundation
import Testing
import VigilTestSupport

/// `vigil serve` under a stand-in for systemd: the built binary with `NOTIFY_SOCKET` pointing at a
/// socket the test binds.
@Suite("vigil serve speaks sd_notify (the built binary)", .serialized)
struct ServeSystemdTests {
    /// A config with a bank and a stream (that never connects), listening on `port`.
    private static func writeConfig(in directory: URL, port: Int) throws -> String {
        let bank = Fixtures.root.appendingPathComponent("Samples/banks/known").path
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(port)
            api_token: systemd-test-token-0123456789
            state_dir: \(directory.path)/state
            banks:
              - {name: known, path: \(bank)}
            streams:
              - {id: cam, url: 'rtmp://127.0.0.1:1/live/cam'}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test("READY=1 once the API answers, WATCHDOG=1 every half WATCHDOG_USEC, RELOADING=1/READY=1 on SIGHUP, STOPPING=1 on SIGTERM",
          .timeLimit(.minutes(2)))
    func lifecycle() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort()
        let config = try Self.writeConfig(in: directory, port: port)
        let listener = try NotifySocketListener(name: directory.appendingPathComponent("notify").path)
        defer { listener.stop() }
        let daemon = try DaemonProcess(
            executable: executable, config: config, log: directory.appendingPathComponent("log.txt"),
            environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "400000"])
        try await waitUntil(timeout: .seconds(30)) { listener.messages.contains { $0.hasPrefix("READY=1") } }
        // Ready means serving: the API answers at once, with the config's stream already listed.
        let health = try await API.call(.GET, "http://127.0.0.1:\(port)/healthz", token: nil)
        #expect(health.status == 200)
        let streams = try await API.call(.GET, "http://127.0.0.1:\(port)/v1/streams", token: "systemd-test-token-0123456789")
        #expect((streams.json?["streams"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["cam"])
        let first = try #require(listener.messages.first)
        #expect(first == "READY=1\nSTATUS=watching 1 streams against 1 banks", "\(first)")

        // Pings every 200 ms: several arrive, and not a flood.
        func pings() -> Int { listener.messages.filter { $0 == "WATCHDOG=1" }.count }
        let counted = ContinuousClock.now
        let before = pings()
        try await waitUntil(timeout: .seconds(10)) { pings() >= before + 4 }
        let seconds = (ContinuousClock.now - counted) / .seconds(1)
        #expect(Double(pings() - before) <= seconds / 0.2 + 3, "\(pings() - before) pings in \(seconds) s")

        kill(daemon.process.processIdentifier, SIGHUP)
        try await waitUntil(timeout: .seconds(20)) {
            let messages = listener.messages
            guard let reloading = messages.firstIndex(where: { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }) else { return false }
            return messages[(reloading + 1)...].contains { $0.hasPrefix("READY=1\nSTATUS=") }
        }

        #expect(await daemon.terminate(timeout: 30) == 0)
        let messages = listener.messages
        let stopping = try #require(messages.firstIndex(of: "STOPPING=1\nSTATUS=draining"), "\(messages)")
        #expect(!messages[stopping...].contains("WATCHDOG=1"), "no pings after STOPPING=1")
    }

    @Test("an abstract NOTIFY_SOCKET works; a WATCHDOG_PID for another process means no pings", .timeLimit(.minutes(2)))
    func abstractSocketOtherPid() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort()
        let config = try Self.writeConfig(in: directory, port: port)
        let listener = try NotifySocketListener(name: "@vigil-serve-\(UUID().uuidString.prefix(8))")
        defer { listener.stop() }
        let daemon = try DaemonProcess(
            executable: executable, config: config, log: directory.appendingPathComponent("log.txt"),
            environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"])
        try await waitUntil(timeout: .seconds(30)) { listener.messages.contains { $0.hasPrefix("READY=1") } }
        try await Task.sleep(for: .milliseconds(500))
        #expect(!listener.messages.contains("WATCHDOG=1"), "\(listener.messages)")
        #expect(await daemon.terminate(timeout: 30) == 0)
        #expect(listener.messages.contains("STOPPING=1\nSTATUS=draining"))
    }

    @Test("a NOTIFY_SOCKET that leads nowhere or cannot be an address is logged and the daemon serves on", .timeLimit(.minutes(3)))
    func hostileSocket() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cases: [(environment: [String: String], logged: String)] = [
            (["NOTIFY_SOCKET": directory.appendingPathComponent("absent/notify").path, "WATCHDOG_USEC": "200000"],
             "systemd notification not sent"),
            (["NOTIFY_SOCKET": "/" + String(repeating: "n", count: 300)], "NOTIFY_SOCKET cannot be used"),
            (["NOTIFY_SOCKET": "vsock:2:999"], "NOTIFY_SOCKET cannot be used"),
            (["NOTIFY_SOCKET": "@vigil-nobody-listens-\(UUID().uuidString.prefix(8))", "WATCHDOG_USEC": "soon"],
             "systemd watchdog setting ignored"),
        ]
        for (index, hostile) in cases.enumerated() {
            let port = try freeLoopbackPort()
            let caseDirectory = directory.appendingPathComponent("\(index)")
            try FileManager.default.createDirectory(at: caseDirectory, withIntermediateDirectories: true)
            let config = try Self.writeConfig(in: caseDirectory, port: port)
            let log = caseDirectory.appendingPathComponent("log.txt")
            let daemon = try DaemonProcess(executable: executable, config: config, log: log, environment: hostile.environment)
            try await waitUntil(timeout: .seconds(30)) {
                (try? await API.call(.GET, "http://127.0.0.1:\(port)/healthz", token: nil))?.status == 200
            }
            // Watchdog pings that cannot be sent either: still serving afterwards.
            try await Task.sleep(for: .milliseconds(600))
            #expect((try? await API.call(.GET, "http://127.0.0.1:\(port)/healthz", token: nil))?.status == 200, "\(hostile.environment)")
            #expect(await daemon.terminate(timeout: 30) == 0, "\(hostile.environment)")
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(text.contains(hostile.logged), "\(hostile.environment): \(text)")
        }
    }
}
