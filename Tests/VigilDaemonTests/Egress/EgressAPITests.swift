import Foundation
import Synchronization
import Testing
@testable import VigilDaemon
import VigilMedia
import VigilTestSupport

/// The egress policy at the API: streams a client adds may not make the daemon reach its own
/// machine or the networks behind it, and their errors reveal nothing a port probe could use.
@Suite("Egress policy through the API")
struct EgressAPITests {
    /// Records every stream the daemon starts, and reads none: a refused stream must never get
    /// this far, and no test traffic may leave loopback even if one did.
    final class RecordingSources: FrameSourceFactory {
        let started = Mutex<[String]>([])
        let status: SourceStatus

        init(status: SourceStatus = SourceStatus(state: .connecting)) {
            self.status = status
        }

        func makeSource(for stream: StreamSpec) -> any FrameSource {
            started.withLock { $0.append(stream.id) }
            return FixedStatusSource(status: status)
        }
    }

    struct FixedStatusSource: FrameSource {
        let status: SourceStatus
        func run(_ emit: @escaping @Sendable (Frame) -> Void) async {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(1)) }
        }
    }

    static func add(_ daemon: TestDaemon, id: String, url: String) async throws -> APIResponse {
        try await API.call(.POST, daemon.base + "/v1/streams", body: Data(#"{"id": "\#(id)", "url": "\#(url)"}"#.utf8),
                           headers: [("Content-Type", "application/json")])
    }

    static let internalHosts = [
        ("loopback", "rtmp://127.0.0.1:1935/live/x"), ("metadata", "http://169.254.169.254/latest/x.m3u8"),
        ("private", "rtsp://10.0.0.1/cam"), ("loopback6", "udp://[::1]:5000"), ("named", "rtmp://localhost/live/x"),
        ("mapped", "srt://[::ffff:127.0.0.1]:9000"),
    ]

    @Test("streams to 127.0.0.1, 169.254.169.254, 10.0.0.1, [::1] and localhost are refused before anything connects")
    func refusedByDefault() async throws {
        let sources = RecordingSources()
        let daemon = try await TestDaemon.start(sources: sources) { $0.egress = EgressPolicy() }
        for (id, url) in Self.internalHosts {
            let response = try await Self.add(daemon, id: id, url: url)
            #expect(response.status == 403, "\(url): \(response.text)")
            #expect(response.errorMessage?.contains("egress policy") == true, "\(response.text)")
        }
        let listed = try await API.call(.GET, daemon.base + "/v1/streams")
        #expect((listed.json?["streams"] as? [Any])?.isEmpty == true, "nothing refused is stored")
        #expect(sources.started.withLock { $0 }.isEmpty, "no refused stream was ever started")
        await daemon.stop()
    }

    @Test("loopback is accepted when egress.allow_hosts lists it; the rest stays refused")
    func loopbackAllowed() async throws {
        let sources = RecordingSources()
        let daemon = try await TestDaemon.start(sources: sources) { config in
            config.egress = EgressPolicy(allowHosts: [HostRule("127.0.0.0/8")!, HostRule("::1")!, HostRule("localhost")!])
        }
        for (id, url) in Self.internalHosts {
            let response = try await Self.add(daemon, id: id, url: url)
            let allowed = ["loopback", "loopback6", "named", "mapped"].contains(id)
            #expect(response.status == (allowed ? 201 : 403), "\(url): \(response.text)")
        }
        #expect(sources.started.withLock { $0 }.sorted() == ["loopback", "loopback6", "mapped", "named"])
        await daemon.stop()
    }

    @Test("an API stream's error shows as \"unreachable\" over the API; a config stream's in full")
    func errorsRedacted() async throws {
        let failing = SourceStatus(state: .backoff, detail: "rtmp://127.0.0.1:1935/live/x: cannot open (Connection refused)")
        let sources = RecordingSources(status: failing)
        let daemon = try await TestDaemon.start(sources: sources) { config in
            config.egress = EgressPolicy(allowHosts: [HostRule("127.0.0.0/8")!])
            config.streams = [StreamSpec(id: "configured", url: "rtmp://127.0.0.1:1936/live/y")]
        }
        let added = try await Self.add(daemon, id: "added", url: "rtmp://127.0.0.1:1935/live/x")
        #expect(added.status == 201)
        #expect(added.json?["detail"] as? String == "unreachable", "\(added.text)")
        let item = try await API.call(.GET, daemon.base + "/v1/streams/added")
        #expect(item.json?["detail"] as? String == "unreachable", "\(item.text)")
        let list = try await API.call(.GET, daemon.base + "/v1/streams")
        let details = Dictionary(uniqueKeysWithValues: ((list.json?["streams"] as? [[String: Any]]) ?? []).map { ($0["id"] as? String ?? "", $0["detail"] as? String ?? "") })
        #expect(details["added"] == "unreachable")
        #expect(details["configured"]?.contains("Connection refused") == true, "the operator's own stream keeps its reason")
        await daemon.stop()
    }

    @Test("a stored API stream the policy no longer allows is not started again at restart")
    func recheckedAtStart() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let allowing = try await TestDaemon.start(stateDirectory: directory, sources: RecordingSources()) { config in
            config.egress = EgressPolicy(allowHosts: [HostRule("127.0.0.0/8")!])
        }
        #expect(try await Self.add(allowing, id: "local", url: "rtmp://127.0.0.1:1935/live/x").status == 201)
        await allowing.stop()
        let sources = RecordingSources()
        let strict = try await TestDaemon.start(stateDirectory: directory, sources: sources) { $0.egress = EgressPolicy() }
        #expect(sources.started.withLock { $0 }.isEmpty)
        #expect(try await API.call(.GET, strict.base + "/v1/streams/local").status == 404)
        await strict.stop()
    }
}
