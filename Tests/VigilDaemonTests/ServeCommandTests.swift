import Foundation
import Testing
import VigilTestSupport

@Suite("vigil serve (the built binary)", .serialized)
struct ServeCommandTests {
    @Test("--check-config: 0 and a summary for a valid config; 2 and the key path for an invalid one", .timeLimit(.minutes(3)))
    func checkConfig() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = Fixtures.root.appendingPathComponent("Samples/banks/known").path
        let good = directory.appendingPathComponent("good.yml").path
        try "api_token: ${CHECK_TOKEN}\nbanks:\n  - {name: known, path: \(bank)}\nstreams:\n  - {id: a, url: 'rtmp://127.0.0.1/live/a'}\n"
            .write(toFile: good, atomically: true, encoding: .utf8)
        let ok = try await runProcess(executable, ["serve", "--config", good, "--check-config"],
                                environment: ["CHECK_TOKEN": "check-token-0123456789"], timeout: 60)
        #expect(ok.status == 0, "\(ok.stderrText)")
        #expect(ok.stdoutText.contains("banks[0] known:"))
        #expect(ok.stdoutText.contains("OK"))

        let bad = directory.appendingPathComponent("bad.yml").path
        try "api_token: check-token-0123456789\nstreams:\n  - {id: a, url: 'rtmp://127.0.0.1/a'}\n  - {id: b, url: 'gopher://127.0.0.1/b'}\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try await runProcess(executable, ["serve", "--config", bad, "--check-config"], timeout: 60)
        #expect(refused.status == 2)
        #expect(refused.stderrText.contains("bad.yml:4: streams[1].url: unsupported scheme \"gopher\""), "\(refused.stderrText)")

        let missingBank = directory.appendingPathComponent("missing.yml").path
        try "api_token: check-token-0123456789\nbanks:\n  - {name: gone, path: /nonexistent/bank.txt}\n"
            .write(toFile: missingBank, atomically: true, encoding: .utf8)
        let noBank = try await runProcess(executable, ["serve", "--config", missingBank, "--check-config"], timeout: 60)
        #expect(noBank.status == 2)
        #expect(noBank.stderrText.contains("banks[0] (gone): /nonexistent/bank.txt: no such file or folder"), "\(noBank.stderrText)")
    }

    @Test("a config with more streams than limits.max_streams is refused at start, naming the limit", .timeLimit(.minutes(2)))
    func overBudget() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("over.yml").path
        let streams = (0..<3).map { "  - {id: s\($0), url: 'rtmp://127.0.0.1/live/s\($0)'}" }.joined(separator: "\n")
        try "api_token: check-token-0123456789\nstate_dir: \(directory.path)/state\nlimits: {max_streams: 2}\nstreams:\n\(streams)\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        for arguments in [["serve", "--config", config], ["serve", "--config", config, "--check-config"]] {
            let refused = try await runProcess(executable, arguments, timeout: 30)
            #expect(refused.status == 2, "\(arguments): \(refused.stderrText)")
            #expect(refused.stderrText.contains("3 streams configured, over limits.max_streams (2)"), "\(refused.stderrText)")
        }
    }

    @Test("SIGHUP re-reads the config: streams added and removed, the token replaced", .timeLimit(.minutes(3)))
    func hangupReloads() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort()
        let config = directory.appendingPathComponent("vigil.yml").path
        func write(token: String, streams: [String]) throws {
            var text = "listen: 127.0.0.1:\(port)\napi_token: \(token)\nstate_dir: \(directory.path)/state\nstreams:\n"
            for id in streams { text += "  - {id: \(id), url: 'rtmp://127.0.0.1:1/live/\(id)'}\n" }
            if streams.isEmpty { text += "  []\n" }
            try text.write(toFile: config, atomically: true, encoding: .utf8)
        }
        try write(token: "first-token-0123456789", streams: ["one", "two"])
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("log.txt"))
        func ids(token: String) async -> [String]? {
            guard let response = try? await API.call(.GET, "http://127.0.0.1:\(port)/v1/streams", token: token),
                  response.status == 200 else { return nil }
            return (response.json?["streams"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        }
        try await waitUntil(timeout: .seconds(20)) { await ids(token: "first-token-0123456789") == ["one", "two"] }
        try write(token: "second-token-0123456789", streams: ["two", "three"])
        kill(daemon.process.processIdentifier, SIGHUP)
        try await waitUntil(timeout: .seconds(20)) { await ids(token: "second-token-0123456789") == ["two", "three"] }
        let old = try await API.call(.GET, "http://127.0.0.1:\(port)/v1/streams", token: "first-token-0123456789")
        #expect(old.status == 401)
        // A broken config is refused and the running one stays.
        try "api_token: [broken".write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(500))
        #expect(await ids(token: "second-token-0123456789") == ["two", "three"])
        #expect(await daemon.terminate(timeout: 15) == 0)
    }
}
