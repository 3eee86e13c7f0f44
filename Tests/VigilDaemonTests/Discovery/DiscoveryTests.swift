import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

@Suite("Discovery from MediaMTX and SRS (their documented answers, over real HTTP)", .serialized)
struct DiscoveryTests {
    /// Writes `data` at `relative` under `folder` atomically: the server never serves half a file.
    static func publish(_ data: Data, at relative: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    static func streams(_ daemon: TestDaemon) async throws -> [String: [String: Any]] {
        let list = try await API.call(.GET, daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
        return Dictionary(list.compactMap { stream in (stream["id"] as? String).map { ($0, stream) } }, uniquingKeysWith: { first, _ in first })
    }

    static func sources(_ daemon: TestDaemon) async throws -> [String: [String: Any]] {
        let list = try await API.call(.GET, daemon.base + "/v1/discovery").json?["sources"] as? [[String: Any]] ?? []
        return Dictionary(list.compactMap { source in (source["name"] as? String).map { ($0, source) } }, uniquingKeysWith: { first, _ in first })
    }

    @Test("published streams are watched under sanitised ids and their origin, released when gone; a source down keeps them and says so",
          .timeLimit(.minutes(1)))
    func mediamtxAndSRS() async throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.publish(DiscoveryResponseTests.fixture("mediamtx-paths.json"), at: "v3/paths/list", in: folder)
        // python's http.server answers a folder with its index.html: SRS's `/api/v1/streams/`.
        try Self.publish(DiscoveryResponseTests.fixture("srs-streams.json"), at: "api/v1/streams/index.html", in: folder)
        let server = try await StaticFileServer(serving: folder)
        defer { server.stop() }
        let daemon = try await TestDaemon.start { config in
            config.discovery = [
                DiscoverySpec(name: "cams", kind: .mediamtx, url: server.url(""), playURL: "rtsp://127.0.0.1:8554/{name}", interval: 0.3),
                DiscoverySpec(name: "srs", kind: .srs, url: "http://user:hunter2@127.0.0.1:\(server.port)", playURL: "rtmp://127.0.0.1:1935/{app}/{name}", interval: 0.3),
            ]
        }
        defer { Task { await daemon.stop() } }

        try await waitUntil(timeout: .seconds(10)) { try await Set(Self.streams(daemon).keys) == ["cam1", "floor_2_door", "live-livestream"] }
        let streams = try await Self.streams(daemon)
        #expect(streams["cam1"]?["origin"] as? String == "discovery:cams")
        #expect(streams["floor_2_door"]?["url"] as? String == "rtsp://127.0.0.1:8554/floor/2/door")
        #expect(streams["live-livestream"]?["origin"] as? String == "discovery:srs")
        #expect(streams["live-livestream"]?["url"] as? String == "rtmp://127.0.0.1:1935/live/livestream")
        var sources = try await Self.sources(daemon)
        #expect(sources["cams"]?["healthy"] as? Bool == true && sources["cams"]?["streams"] as? Int == 2)
        #expect(sources["srs"]?["healthy"] as? Bool == true && sources["srs"]?["streams"] as? Int == 1)
        #expect(sources["srs"]?["url"] as? String == "http://***@127.0.0.1:\(server.port)")

        // Discovered streams belong to their server: the API cannot delete them.
        #expect(try await API.call(.DELETE, daemon.base + "/v1/streams/cam1").status == 409)

        // One path stops being ready: released at the next poll.
        var paths = try #require(try JSONSerialization.jsonObject(with: DiscoveryResponseTests.fixture("mediamtx-paths.json")) as? [String: Any])
        var items = try #require(paths["items"] as? [[String: Any]])
        items[1]["ready"] = false
        paths["items"] = items
        try Self.publish(try JSONSerialization.data(withJSONObject: paths), at: "v3/paths/list", in: folder)
        try await waitUntil(timeout: .seconds(3)) { try await Set(Self.streams(daemon).keys) == ["cam1", "live-livestream"] }

        // The servers go away: reported, and every stream stays watched.
        server.stop()
        try await waitUntil(timeout: .seconds(5)) {
            let sources = try await Self.sources(daemon)
            return sources.values.allSatisfy { $0["healthy"] as? Bool == false && ($0["failures"] as? Int ?? 0) >= 2 }
        }
        sources = try await Self.sources(daemon)
        #expect((sources["cams"]?["last_error"] as? String)?.isEmpty == false)
        #expect(!"\(sources)".contains("hunter2"))
        #expect(try await Set(Self.streams(daemon).keys) == ["cam1", "live-livestream"])
        let metrics = try await API.call(.GET, daemon.base + "/metrics").text
        #expect(metrics.contains("vigil_discovery_up{source=\"cams\"} 0"))
        #expect(metrics.contains("vigil_discovery_poll_failures_total{source=\"srs\"}"))
        #expect(metrics.contains("vigil_discovery_streams{source=\"cams\"} 1"))
    }

    @Test("a server answering garbage, errors or nothing is reported; the daemon keeps serving", .timeLimit(.minutes(1)))
    func hostileServers() async throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.publish(Data("<html>not it</html>".utf8), at: "stat", in: folder)
        try Self.publish(Data(String(repeating: "{", count: 100_000).utf8), at: "v3/paths/list", in: folder)
        let server = try await StaticFileServer(serving: folder)
        defer { server.stop() }
        let silent = try RefusingLoopbackPort()
        let daemon = try await TestDaemon.start { config in
            config.discovery = [
                DiscoverySpec(name: "html", kind: .nginxRTMP, url: server.url("stat"), playURL: "rtmp://127.0.0.1/{app}/{name}", interval: 0.3),
                DiscoverySpec(name: "deep", kind: .mediamtx, url: server.url(""), playURL: "rtsp://127.0.0.1/{name}", interval: 0.3),
                DiscoverySpec(name: "missing", kind: .srs, url: server.url("nothing-here"), playURL: "rtmp://127.0.0.1/{app}/{name}", interval: 0.3),
                DiscoverySpec(name: "refused", kind: .srs, url: "http://127.0.0.1:\(silent.port)", playURL: "rtmp://127.0.0.1/{app}/{name}", interval: 0.3),
            ]
        }
        defer { Task { await daemon.stop() } }
        try await waitUntil(timeout: .seconds(10)) {
            let sources = try await Self.sources(daemon)
            return sources.count == 4 && sources.values.allSatisfy { ($0["failures"] as? Int ?? 0) >= 1 }
        }
        let sources = try await Self.sources(daemon)
        #expect((sources["html"]?["last_error"] as? String)?.contains("rtmp_stat") == true)
        #expect((sources["deep"]?["last_error"] as? String)?.contains("MediaMTX") == true)
        #expect((sources["missing"]?["last_error"] as? String)?.contains("404") == true)
        #expect(sources["refused"]?["last_error"] is String)
        #expect(try await Self.streams(daemon).isEmpty)
        #expect(try await API.call(.GET, daemon.base + "/healthz").status == 200)
        _ = silent
    }
}
