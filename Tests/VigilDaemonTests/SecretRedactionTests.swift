import Foundation
import Testing
import VigilTestSupport

/// Credentials in stream and webhook URLs reach the reader and the sender, and nothing else:
/// secrets planted in a daemon's config are looked for in everything it shows.
@Suite("Secrets in URLs, through the built binary", .serialized)
struct SecretRedactionTests {
    static let password = "PASSWORD-7f3a9c"
    static let queryToken = "QUERYTOKEN-91c2e4"
    static let hookToken = "HOOKTOKEN-5d1e08"
    static let hookKey = "HOOKKEY-a8b3f1"
    static let secrets = [password, queryToken, hookToken, hookKey]

    static func leaks(in text: String) -> [String] {
        secrets.filter { text.contains($0) }
    }

    @Test("stream passwords, query tokens and webhook tokens appear in no API answer, alert, log line, metric or scan output",
          .timeLimit(.minutes(3)))
    func plantedSecretsStayHidden() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let media = directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: SampleClips.known, toPath: media.appendingPathComponent("known.mp4").path)
        let server = try await StaticFileServer(serving: media)
        defer { server.stop() }
        let receiver = WebhookReceiver()
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let bank = try await SampleClips.knownBank(in: directory)

        let streamURL = "http://viewer:\(Self.password)@127.0.0.1:\(server.port)/known.mp4?token=\(Self.queryToken)&expires=1"
        let refusing = try RefusingLoopbackPort()
        defer { withExtendedLifetime(refusing) {} }
        let closed = refusing.port
        let downURL = "rtsp://viewer:\(Self.password)@127.0.0.1:\(closed)/live?\(Self.queryToken)"
        let hookURL = "http://127.0.0.1:\(receiver.port)/hooks/\(Self.hookToken)?key=\(Self.hookKey)"
        let brokenHookURL = "http://user:\(Self.password)@127.0.0.1:\(closed)/hooks/\(Self.hookToken)"
        let port = try freeLoopbackPort()
        let jsonl = directory.appendingPathComponent("alerts.jsonl").path
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(port)
            api_token: \(TestDaemon.token)
            state_dir: \(directory.path)/state
            log: {level: trace}
            banks:
              - {name: known, path: \(bank)}
            streams:
              - {id: cam, url: "\(streamURL)"}
              - {id: down, url: "\(downURL)"}
            alerts:
              jsonl: \(jsonl)
              webhooks:
                - {name: hook, url: "\(hookURL)", secret: s3cret-signing-key}
                - {name: broken, url: "\(brokenHookURL)", secret: s3cret-signing-key, timeout: 1s}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("serve.log"))
        let base = "http://127.0.0.1:\(port)"

        // Wait for what exercises every path: an alert delivered, a failed delivery recorded,
        // a stream that cannot connect.
        let delivered = await receiver.waitFor(count: 1, timeout: .seconds(60))
        try #require(!delivered.isEmpty, "no alert reached the webhook")
        try await waitUntil(timeout: .seconds(30)) {
            let sinks = try? await API.call(.GET, base + "/v1/sinks")
            let broken = (sinks?.json?["sinks"] as? [[String: Any]])?.first { $0["sink"] as? String == "broken" }
            let down = try? await API.call(.GET, base + "/v1/streams/down")
            return broken?["last_error"] is String && down?.json?["detail"] is String
        }

        var shown: [(what: String, text: String)] = []
        for path in ["/v1/streams", "/v1/streams/cam", "/v1/streams/down", "/v1/alerts", "/v1/sinks", "/v1/banks", "/metrics", "/healthz"] {
            let answer = try await API.call(.GET, base + path)
            #expect(answer.status == 200, "\(path)")
            shown.append((path, answer.text))
        }
        let alerts = try await API.call(.GET, base + "/v1/alerts")
        let first = try #require((alerts.json?["alerts"] as? [[String: Any]])?.first?["alert"] as? [String: Any])
        let id = try #require(first["id"] as? String)
        shown.append(("/v1/alerts/\(id)", try await API.call(.GET, base + "/v1/alerts/\(id)").text))
        for request in delivered {
            shown.append(("webhook body", String(decoding: request.body, as: UTF8.self)))
            shown.append(("webhook headers", "\(request.headers)"))
        }
        shown.append(("JSONL", try String(contentsOfFile: jsonl, encoding: .utf8)))
        #expect(await daemon.terminate(timeout: 15) == 0)
        shown.append(("daemon log", try String(contentsOf: daemon.log, encoding: .utf8)))

        // The researcher's view of the same inputs: a match, and an input that cannot be reached.
        let scan = try await runProcess(executable, ["scan", streamURL, "--bank", bank], timeout: 60)
        #expect(scan.status == 1, "\(scan.stderrText)")
        let scanJSON = try await runProcess(executable, ["scan", "--json", streamURL, "--bank", bank], timeout: 60)
        let unreachable = try await runProcess(
            executable, ["scan", "http://viewer:\(Self.password)@127.0.0.1:\(closed)/x.mp4?token=\(Self.queryToken)", "--bank", bank],
            timeout: 60)
        #expect(unreachable.status != 0 && unreachable.status != 1)
        for (name, result) in [("scan", scan), ("scan --json", scanJSON), ("scan of an unreachable input", unreachable)] {
            shown.append(("\(name) stdout", result.stdoutText))
            shown.append(("\(name) stderr", result.stderrText))
        }

        for (what, text) in shown {
            #expect(Self.leaks(in: text).isEmpty, "\(what) shows \(Self.leaks(in: text)):\n\(text.prefix(3000))")
        }
        // The inputs are still named, with their credentials masked: the search above looked at
        // the places where they would have been.
        let source = try #require(first["source"] as? String)
        #expect(source.hasPrefix("http://***@127.0.0.1:\(server.port)/known.mp4?token=***"), "\(source)")
        let streams = shown.first { $0.what == "/v1/streams/down" }?.text ?? ""
        #expect(streams.contains("rtsp://***@127.0.0.1:\(closed)/live?***"), "\(streams)")
        let sinks = shown.first { $0.what == "/v1/sinks" }?.text ?? ""
        #expect(sinks.contains("127.0.0.1:\(closed)/***"), "\(sinks)")
        #expect(scan.stdoutText.contains("http://***@127.0.0.1:\(server.port)/known.mp4?token=***&expires=***: MATCH"), "\(scan.stdoutText)")
        #expect(unreachable.stderrText.contains("http://***@127.0.0.1:\(closed)/x.mp4?token=***"), "\(unreachable.stderrText)")
    }
}
