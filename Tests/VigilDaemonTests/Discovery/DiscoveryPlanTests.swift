import Testing
@testable import VigilDaemon

@Suite("Discovery plan: what a poll starts and releases")
struct DiscoveryPlanTests {
    let source = DiscoverySpec(name: "edge", kind: .nginxRTMP, url: "http://127.0.0.1:8080/stat", playURL: "rtmp://127.0.0.1/{app}/{name}")

    func watched(_ id: String, url: String? = nil, origin: StreamSpec.Origin = .discovery("edge")) -> StreamSpec {
        StreamSpec(id: id, url: url ?? "rtmp://127.0.0.1/live/\(id.dropFirst(5))", origin: origin)
    }

    @Test("new streams start, gone ones are released, the rest stay")
    func startAndStop() {
        let plan = DiscoveryPlan.make(
            source: source, published: [PublishedStream(app: "live", name: "a"), PublishedStream(app: "live", name: "b")],
            watching: [watched("live-a"), watched("live-c")], room: 10)
        #expect(plan.start.map(\.id) == ["live-b"])
        #expect(plan.start.first?.url == "rtmp://127.0.0.1/live/b")
        #expect(plan.start.first?.origin == .discovery("edge"))
        #expect(plan.stop == ["live-c"])
        #expect(plan.refused.isEmpty)
    }

    @Test("a config, API or other source's stream keeps its id; the published one is refused")
    func collisions() {
        let plan = DiscoveryPlan.make(
            source: source, published: [PublishedStream(app: "live", name: "a"), PublishedStream(app: "live", name: "b")],
            watching: [watched("live-a", origin: .config), watched("live-b", origin: .discovery("other"))], room: 10)
        #expect(plan.start.isEmpty && plan.stop.isEmpty)
        #expect(Set(plan.refused.keys) == ["live-a", "live-b"])
    }

    @Test("two names mapping to one id: the first is watched")
    func sameID() {
        let plan = DiscoveryPlan.make(
            source: source, published: [PublishedStream(app: "live", name: "a b"), PublishedStream(app: "live", name: "a?b")],
            watching: [], room: 10)
        #expect(plan.start.map(\.url) == ["rtmp://127.0.0.1/live/a%20b"])
        #expect(plan.refused.keys.sorted() == ["live-a_b"])
    }

    @Test("limits.max_streams: past the room, published streams are refused, in the server's order")
    func room() {
        let published = (0..<5).map { PublishedStream(app: "live", name: "s\($0)") }
        let plan = DiscoveryPlan.make(source: source, published: published, watching: [watched("live-x")], room: 1)
        // live-x is released, which frees its place.
        #expect(plan.stop == ["live-x"])
        #expect(plan.start.map(\.id) == ["live-s0", "live-s1"])
        #expect(plan.refused.keys.sorted() == ["live-s2", "live-s3", "live-s4"])
    }

    @Test("a changed play URL restarts the stream at the new one")
    func changedURL() {
        let plan = DiscoveryPlan.make(
            source: source, published: [PublishedStream(app: "live", name: "a")],
            watching: [watched("live-a", url: "rtmp://127.0.0.1:1936/live/a")], room: 0)
        #expect(plan.stop == ["live-a"])
        #expect(plan.start.map(\.url) == ["rtmp://127.0.0.1/live/a"])
    }
}
