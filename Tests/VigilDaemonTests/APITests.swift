import Foundation
import NIOHTTP1
import Testing
import VigilAlerts
import VigilDaemon
import VigilTestSupport

@Suite("HTTP API", .serialized)
struct APITests {
    static let protectedRoutes: [(HTTPMethod, String)] = [
        (.GET, "/metrics"), (.GET, "/v1/streams"), (.POST, "/v1/streams"), (.GET, "/v1/streams/cam"),
        (.DELETE, "/v1/streams/cam"), (.GET, "/v1/alerts"), (.GET, "/v1/alerts?after=01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        (.GET, "/v1/sinks"), (.GET, "/v1/banks"), (.POST, "/v1/banks"), (.POST, "/v1/banks/known/reload"),
        (.DELETE, "/v1/banks/known"), (.GET, "/v1/nonexistent"),
    ]

    @Test("missing or wrong token: 401 with a JSON error on every route but /healthz", .timeLimit(.minutes(3)))
    func authentication() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let health = try await API.call(.GET, daemon.base + "/healthz", token: nil)
        #expect(health.status == 200)
        for (method, path) in Self.protectedRoutes {
            for token: String? in [nil, "wrong-token", TestDaemon.token + "x", String(TestDaemon.token.dropLast())] {
                let response = try await API.call(method, daemon.base + path, token: token, body: method == .POST ? Data("{}".utf8) : nil)
                #expect(response.status == 401, "\(method) \(path) with \(token ?? "no token") gave \(response.status)")
                #expect(response.errorMessage != nil, "\(method) \(path): \(response.text)")
                // A valid token starts the failure count over: each failure here is answered at once.
                #expect(try await API.call(.GET, daemon.base + "/v1/streams").status == 200)
            }
        }
        let malformed = try await API.call(.GET, daemon.base + "/v1/streams", token: nil, headers: [("Authorization", "Basic dXNlcjpwYXNz")])
        #expect(malformed.status == 401)
        let ok = try await API.call(.GET, daemon.base + "/v1/streams")
        #expect(ok.status == 200)
    }

    @Test("hostile bodies get a 4xx with a clear message, and the daemon carries on", .timeLimit(.minutes(3)))
    func hostileBodies() async throws {
        let daemon = try await TestDaemon.start { $0.api.maxBodyBytes = 4096 }
        defer { Task { await daemon.stop() } }
        let streams = daemon.base + "/v1/streams"
        let cases: [(Data, [(String, String)], Int, String)] = [
            (Data(repeating: 0x41, count: 200_000), [], 413, "limit"),
            (Data(#"{"id": "a", "url": "#.utf8), [], 400, "not valid JSON"),
            (Data("[1, 2, 3]".utf8), [], 400, "JSON object"),
            (Data(), [], 400, "empty"),
            (API.json(["id": "a", "url": "gopher://127.0.0.1/x"]), [], 422, "unsupported scheme \"gopher\""),
            (API.json(["id": "a", "url": "file:///etc/passwd"]), [], 422, "file:// sources are not accepted"),
            (API.json(["id": "a", "url": "/etc/passwd"]), [], 422, "local files are not accepted"),
            (API.json(["id": "a", "url": "http://"]), [], 422, "no host"),
            (API.json(["id": "a", "url": "not a url"]), [], 422, "spaces"),
            (API.json(["id": "../../etc", "url": "rtmp://127.0.0.1/x"]), [], 422, "id: must be letters"),
            (API.json(["url": "rtmp://127.0.0.1/x"]), [], 422, "id is required"),
            (API.json(["id": "a", "url": "rtmp://127.0.0.1/x", "sampling": "sometimes"]), [], 422, "sampling"),
            (API.json(["id": "a", "url": "rtmp://127.0.0.1/x", "extra": 1]), [], 422, "extra: unknown key"),
            (API.json(["id": "a", "url": "rtmp://127.0.0.1/x"]), [("Content-Type", "text/plain")], 415, "application/json"),
            (API.json(["id": "a", "url": "${VIGIL_API_TOKEN}"]), [], 422, "local files"),
        ]
        for (body, headers, status, message) in cases {
            let response = try await API.call(.POST, streams, body: body, headers: headers)
            #expect(response.status == status, "body \(String(decoding: body.prefix(60), as: UTF8.self)): \(response.status) \(response.text.prefix(200))")
            #expect(response.errorMessage?.contains(message) == true, "expected \(message.debugDescription) in \(response.text.prefix(300))")
            #expect(response.contentType?.hasPrefix("application/json") == true)
        }
        // Deep nesting and a lying Content-Length are refused too.
        let nested = Data((String(repeating: "[", count: 1500) + String(repeating: "]", count: 1500)).utf8)
        #expect(try await API.call(.POST, streams, body: nested).status == 400)
        let bogusAlert = try await API.call(.GET, daemon.base + "/v1/alerts?after=not-an-id")
        #expect(bogusAlert.status == 400)
        #expect(try await API.call(.GET, daemon.base + "/v1/alerts?limit=0").status == 400)
        let missing = try await API.call(.GET, daemon.base + "/v1/streams/nope")
        #expect(missing.status == 404 && missing.errorMessage?.contains("nope") == true)
        let unknownRoute = try await API.call(.GET, daemon.base + "/v2/everything")
        #expect(unknownRoute.status == 404 && unknownRoute.errorMessage != nil)
        // A known route with the wrong method: 405 naming the methods that work.
        let wrongMethods: [(HTTPMethod, String, String)] = [
            (.PUT, "/v1/streams", "GET, POST"), (.PATCH, "/v1/streams/cam-9", "DELETE, GET"),
            (.DELETE, "/v1/alerts", "GET"), (.GET, "/v1/banks/known/reload", "POST"), (.POST, "/metrics", "GET"),
        ]
        for (method, path, allow) in wrongMethods {
            let response = try await API.call(method, daemon.base + path)
            #expect(response.status == 405 && response.allow == allow, "\(method) \(path): \(response.status) allow \(response.allow ?? "none")")
            #expect(response.errorMessage?.contains("use") == true && response.contentType?.hasPrefix("application/json") == true)
        }
        #expect(try await API.call(.PUT, daemon.base + "/v1/streams/cam/extra").status == 404)

        // Unaffected: still healthy, and a valid request works.
        #expect(try await API.call(.GET, daemon.base + "/healthz", token: nil).status == 200)
        let created = try await API.call(.POST, streams, body: API.json(["id": "cam-1", "url": "rtmp://127.0.0.1/live/cam"]))
        #expect(created.status == 201, "\(created.text)")
        let listed = try await API.call(.GET, streams)
        #expect(((listed.json?["streams"] as? [[String: Any]])?.map { $0["id"] as? String }) == ["cam-1"])
    }

    @Test("streams: create, read, delete; duplicates conflict; config streams cannot be deleted", .timeLimit(.minutes(3)))
    func streamLifecycle() async throws {
        let daemon = try await TestDaemon.start {
            $0.streams = [StreamSpec(id: "configured", url: "rtmp://127.0.0.1/live/c")]
        }
        defer { Task { await daemon.stop() } }
        let body = API.json(["id": "cam", "url": "rtsp://127.0.0.1:8554/cam", "sampling": "interval", "interval": "500ms"])
        let created = try await API.call(.POST, daemon.base + "/v1/streams", body: body)
        #expect(created.status == 201)
        #expect(created.json?["sampling"] as? String == "interval")
        #expect(created.json?["interval_seconds"] as? Double == 0.5)
        #expect(created.json?["origin"] as? String == "api")
        #expect(try await API.call(.POST, daemon.base + "/v1/streams", body: body).status == 409)
        let one = try await API.call(.GET, daemon.base + "/v1/streams/cam")
        #expect(one.status == 200 && one.json?["state"] as? String == "connecting")
        let configured = try await API.call(.DELETE, daemon.base + "/v1/streams/configured")
        #expect(configured.status == 409 && configured.errorMessage?.contains("config file") == true)
        #expect(try await API.call(.DELETE, daemon.base + "/v1/streams/cam").status == 204)
        #expect(try await API.call(.GET, daemon.base + "/v1/streams/cam").status == 404)
        #expect(try await API.call(.DELETE, daemon.base + "/v1/streams/cam").status == 404)
    }

    @Test("API banks and file streams answer to the config of the day: refused at start and unloaded on reload when it no longer allows them",
          .timeLimit(.minutes(3)))
    func revalidated() async throws {
        let state = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: state) }
        let roots = state.appendingPathComponent("banks")
        try FileManager.default.createDirectory(at: roots, withIntermediateDirectories: true)
        let bankFile = roots.appendingPathComponent("extra.txt")
        try (TestHashes.hex(5) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        let permissive = { (config: inout DaemonConfig) in
            config.api.bankRoots = [roots.path]
            config.api.allowFileSources = true
        }
        let first = try await TestDaemon.start(stateDirectory: state, configure: permissive)
        #expect(try await API.call(.POST, first.base + "/v1/banks", body: API.json(["name": "extra", "path": bankFile.path])).status == 201)
        #expect(try await API.call(.POST, first.base + "/v1/streams", body: API.json(["id": "clip", "url": SampleClips.known])).status == 201)
        #expect(try await API.call(.POST, first.base + "/v1/streams", body: API.json(["id": "cam", "url": "rtmp://127.0.0.1/live/cam"])).status == 201)
        func names(_ base: String) async throws -> (banks: [String], streams: [String]) {
            let banks = try await API.call(.GET, base + "/v1/banks").json?["banks"] as? [[String: Any]] ?? []
            let streams = try await API.call(.GET, base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
            return (banks.compactMap { $0["name"] as? String }, streams.compactMap { $0["id"] as? String }.sorted())
        }
        #expect(try await names(first.base) == (["extra"], ["cam", "clip"]))
        // SIGHUP with a config that allows neither: the bank and the file stream go, the rest stays.
        var strict = first.daemon.core.config
        strict.api.bankRoots = []
        strict.api.allowFileSources = false
        await first.daemon.core.reload(strict)
        #expect(try await names(first.base) == ([], ["cam"]))
        await first.stop()

        // Both are still stored: a start under the permissive config restores them, a start
        // under the strict one does not.
        let second = try await TestDaemon.start(stateDirectory: state, configure: permissive)
        #expect(try await names(second.base) == (["extra"], ["cam", "clip"]))
        await second.stop()
        let third = try await TestDaemon.start(stateDirectory: state)
        #expect(try await names(third.base) == ([], ["cam"]))
        await third.stop()
    }

    @Test("replay: a known sink's dead letters requeued (none here), unknown sinks and bad ids refused", .timeLimit(.minutes(3)))
    func replay() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let daemon = try await TestDaemon.start { $0.alerts.jsonl = directory.appendingPathComponent("alerts.jsonl").path }
        defer { Task { await daemon.stop() } }
        let replayed = try await API.call(.POST, daemon.base + "/v1/sinks/jsonl/replay")
        #expect(replayed.status == 200 && replayed.json?["requeued"] as? Int == 0 && replayed.json?["sink"] as? String == "jsonl", "\(replayed.text)")
        let ranged = try await API.call(.POST, daemon.base + "/v1/sinks/jsonl/replay?from=01ARZ3NDEKTSV4RRFFQ69G5FAV&through=01ARZ3NDEKTSV4RRFFQ69G5FAV")
        #expect(ranged.status == 200, "\(ranged.text)")
        #expect(try await API.call(.POST, daemon.base + "/v1/sinks/nope/replay").status == 404)
        let bad = try await API.call(.POST, daemon.base + "/v1/sinks/jsonl/replay?from=yesterday")
        #expect(bad.status == 400 && bad.errorMessage?.contains("from must be an alert id") == true, "\(bad.text)")
    }

    @Test("a removed sink's rows are reported and dropped over the API; delivered alerts are pruned after alerts.retention",
          .timeLimit(.minutes(3)))
    func removedSinksAndRetention() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        let jsonl = directory.appendingPathComponent("alerts.jsonl").path
        let refusing = try RefusingLoopbackPort()
        defer { withExtendedLifetime(refusing) {} }
        let first = try await TestDaemon.start(stateDirectory: state) { config in
            config.alerts.jsonl = jsonl
            config.alerts.webhooks = [WebhookSpec(name: "gone", url: "http://127.0.0.1:\(refusing.port)/hook", secret: "s")]
            config.alerts.retention = 1
        }
        let ids = AlertIDGenerator()
        let when = Timestamp.truncated(Date())
        let alert = Alert(
            id: ids.next(at: when), stream: "cam", source: "rtmp://127.0.0.1/live/cam", bank: "known", entry: Alert.Entry(id: "e"),
            distance: 3, quality: 90, frame: Alert.FrameInfo(ptsSeconds: 1, keyframe: true, observedAt: when),
            hash: String(repeating: "ab", count: 32), firstSeen: when, lastSeen: when, framesMatched: 1)
        try await first.daemon.core.hub.commit(alert)
        func listed(_ daemon: TestDaemon) async throws -> [[String: Any]] {
            try await API.call(.GET, daemon.base + "/v1/alerts").json?["alerts"] as? [[String: Any]] ?? []
        }
        try await waitUntil(timeout: .seconds(20)) {
            ((try? String(contentsOfFile: jsonl, encoding: .utf8)) ?? "").contains(alert.id.rawValue)
        }
        // Delivered to one sink, pending for the other: kept past the retention.
        try await Task.sleep(for: .seconds(2.5))
        #expect(try await listed(first).count == 1)
        await first.stop()

        let second = try await TestDaemon.start(stateDirectory: state) { config in
            config.alerts.jsonl = jsonl
            config.alerts.retention = 1
        }
        defer { Task { await second.stop() } }
        let sinks = try #require(try await API.call(.GET, second.base + "/v1/sinks").json?["sinks"] as? [[String: Any]])
        let gone = try #require(sinks.first { $0["sink"] as? String == "gone" })
        #expect(gone["configured"] as? Bool == false && gone["pending"] as? Int == 1, "\(gone)")
        #expect(sinks.first { $0["sink"] as? String == "jsonl" }?["configured"] as? Bool == true)
        #expect(try await listed(second).count == 1, "not pruned while a delivery is pending")

        let configured = try await API.call(.DELETE, second.base + "/v1/sinks/jsonl")
        #expect(configured.status == 409 && configured.errorMessage?.contains("is configured") == true, "\(configured.text)")
        #expect(try await API.call(.DELETE, second.base + "/v1/sinks/nope").status == 404)
        #expect(try await API.call(.DELETE, second.base + "/v1/sinks/gone", token: nil).status == 401)
        let dropped = try await API.call(.DELETE, second.base + "/v1/sinks/gone")
        #expect(dropped.status == 200 && dropped.json?["undelivered"] as? Int == 1, "\(dropped.text)")
        let remaining = try await API.call(.GET, second.base + "/v1/sinks").json?["sinks"] as? [[String: Any]]
        #expect(remaining?.count == 1)
        try await waitUntil(timeout: .seconds(10)) { try await listed(second).isEmpty }
    }

    @Test("streams added over the API survive a restart; deleted ones do not come back", .timeLimit(.minutes(3)))
    func persistence() async throws {
        let state = try Fixtures.temporaryDirectory()
        let first = try await TestDaemon.start(stateDirectory: state)
        for id in ["keep-1", "keep-2", "gone"] {
            let response = try await API.call(.POST, first.base + "/v1/streams", body: API.json(["id": id, "url": "rtmp://127.0.0.1/live/\(id)"]))
            #expect(response.status == 201)
        }
        #expect(try await API.call(.DELETE, first.base + "/v1/streams/gone").status == 204)
        await first.stop()

        let second = try await TestDaemon.start(stateDirectory: state)
        defer { Task { await second.stop() } }
        let listed = try await API.call(.GET, second.base + "/v1/streams")
        let ids = (listed.json?["streams"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == ["keep-1", "keep-2"])
    }

    @Test("banks: list, reload, API banks need bank_roots, paths outside them are refused", .timeLimit(.minutes(3)))
    func banks() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let bankFile = directory.appendingPathComponent("known.txt")
        try (TestHashes.hex(0) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        let daemon = try await TestDaemon.start {
            $0.banks = [BankSpec(name: "known", paths: [bankFile.path])]
            $0.api.bankRoots = [directory.path]
        }
        defer { Task { await daemon.stop() } }
        let listed = try await API.call(.GET, daemon.base + "/v1/banks")
        let banks = try #require(listed.json?["banks"] as? [[String: Any]])
        #expect(banks.first?["entries"] as? Int == 1)

        try (TestHashes.hex(0) + "\n" + TestHashes.hex(1) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        let reloaded = try await API.call(.POST, daemon.base + "/v1/banks/known/reload")
        #expect(reloaded.status == 200 && reloaded.json?["entries"] as? Int == 2)

        try "not a hash\n".write(to: bankFile, atomically: true, encoding: .utf8)
        let failed = try await API.call(.POST, daemon.base + "/v1/banks/known/reload")
        #expect(failed.status == 422 && failed.errorMessage?.contains("known.txt:1") == true)
        let still = try await API.call(.GET, daemon.base + "/v1/banks")
        let kept = try #require((still.json?["banks"] as? [[String: Any]])?.first)
        #expect(kept["entries"] as? Int == 2, "the previous version keeps serving")
        #expect((kept["last_error"] as? String)?.contains("known.txt:1") == true)

        let outside = try await API.call(.POST, daemon.base + "/v1/banks", body: API.json(["name": "evil", "path": "/etc/passwd"]))
        #expect(outside.status == 403 && outside.errorMessage?.contains("bank_roots") == true)
        let extra = directory.appendingPathComponent("extra.txt")
        try (TestHashes.hex(5) + "\n").write(to: extra, atomically: true, encoding: .utf8)
        let added = try await API.call(.POST, daemon.base + "/v1/banks", body: API.json(["name": "extra", "path": extra.path, "threshold": 20]))
        #expect(added.status == 201 && added.json?["threshold"] as? Int == 20)
        #expect(try await API.call(.DELETE, daemon.base + "/v1/banks/known").status == 409)
        #expect(try await API.call(.DELETE, daemon.base + "/v1/banks/extra").status == 204)
        #expect(try await API.call(.POST, daemon.base + "/v1/banks/nope/reload").status == 404)
    }

    @Test("/metrics serves the Prometheus exposition with stream, hashing, outbox and bank series", .timeLimit(.minutes(3)))
    func metrics() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let bankFile = directory.appendingPathComponent("known.txt")
        try (TestHashes.hex(0) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        let daemon = try await TestDaemon.start {
            $0.banks = [BankSpec(name: "known", paths: [bankFile.path])]
            $0.streams = [StreamSpec(id: "cam", url: "rtmp://127.0.0.1/live/cam")]
        }
        defer { Task { await daemon.stop() } }
        let response = try await API.call(.GET, daemon.base + "/metrics")
        #expect(response.status == 200)
        #expect(response.contentType?.hasPrefix("text/plain") == true)
        for name in ["vigil_stream_state{", "vigil_stream_frames_in_total{", "vigil_bank_entries{bank=\"known\"} 1",
                     "vigil_bank_reload_seconds_bucket{", "vigil_stream_reconnects_total{"] {
            #expect(response.text.contains(name), "missing \(name) in:\n\(response.text.prefix(2000))")
        }
    }
}

/// Hashes for bank files.
enum TestHashes {
    static func hex(_ seed: Int) -> String {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678
        var text = ""
        for _ in 0..<4 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            text += String(format: "%016llx", z)
        }
        return text
    }
}
