import Foundation
import Testing
import VigilAlerts
import VigilHash
import VigilMatch
import VigilTestSupport

@Suite("Incident policy")
struct IncidentPolicyTests {
    static let image = MatchCandidate(bank: "known", subject: "entry:k1", entry: .init(id: "k1", label: "cat"), distance: 10)

    @Test("the first match opens an incident; matches within the window update it")
    func openThenUpdate() throws {
        var policy = IncidentPolicy(settings: .init(window: 30))
        let first = policy.observe(TestAlerts.observation(at: 0, candidates: [Self.image]))
        guard case .open(let opened)? = first.first else { Issue.record("expected an open"); return }
        #expect(first.count == 1)
        #expect(opened.framesMatched == 1)
        #expect(opened.firstSeen == opened.lastSeen)
        #expect(opened.entry == Alert.Entry(id: "k1", label: "cat"))
        #expect(opened.videoMatch == nil)

        var closer = Self.image
        closer.distance = 4
        let second = policy.observe(TestAlerts.observation(at: 20, quality: 77, candidates: [closer]))
        guard case .update(let updated)? = second.first else { Issue.record("expected an update"); return }
        #expect(updated.id == opened.id)
        #expect(updated.framesMatched == 2)
        #expect(updated.distance == 4)
        #expect(updated.quality == 77)
        #expect(updated.frame.ptsSeconds == 20)
        #expect(updated.firstSeen == opened.firstSeen)
        #expect(updated.lastSeen == TestAlerts.base.addingTimeInterval(20))

        // A worse match still counts, but keeps the best distance and its frame.
        let third = policy.observe(TestAlerts.observation(at: 45, candidates: [Self.image]))
        #expect(third.first?.alert.framesMatched == 3)
        #expect(third.first?.alert.distance == 4)
        #expect(third.first?.alert.frame.ptsSeconds == 20)
    }

    @Test("after a quiet window the incident closes and a new match raises a new alert")
    func windowExpiry() {
        var policy = IncidentPolicy(settings: .init(window: 10))
        let first = policy.observe(TestAlerts.observation(at: 0, candidates: [Self.image]))
        #expect(policy.observe(TestAlerts.observation(at: 5, candidates: [])).isEmpty)
        let later = policy.observe(TestAlerts.observation(at: 10.5, candidates: [Self.image]))
        guard case .open(let reopened)? = later.first else { Issue.record("expected a new incident"); return }
        #expect(reopened.id != first.first?.alert.id)
        #expect(reopened.id > first.first!.alert.id)
    }

    @Test("incidents are per stream and per entry; non-matching frames decide nothing")
    func keys() {
        var policy = IncidentPolicy()
        var other = Self.image
        other.subject = "entry:k2"
        other.entry = .init(id: "k2")
        let decisions = policy.observe(TestAlerts.observation(at: 0, candidates: [Self.image, other]))
        #expect(decisions.count == 2)
        #expect(decisions.allSatisfy { if case .open = $0 { true } else { false } })
        let elsewhere = policy.observe(TestAlerts.observation(stream: "cam-2", at: 1, candidates: [Self.image]))
        #expect(elsewhere.count == 1)
        if case .open = elsewhere[0] {} else { Issue.record("another stream opens its own incident") }
        #expect(policy.observe(TestAlerts.observation(at: 2, candidates: [])).isEmpty)
        #expect(policy.openIncidentCount == 3)
    }

    @Test("expire(now:) closes quiet incidents and returns their final state")
    func expire() {
        var policy = IncidentPolicy(settings: .init(window: 10))
        _ = policy.observe(TestAlerts.observation(at: 0, candidates: [Self.image]))
        _ = policy.observe(TestAlerts.observation(at: 3, candidates: [Self.image]))
        #expect(policy.expire(now: TestAlerts.base.addingTimeInterval(12)).isEmpty)
        let closed = policy.expire(now: TestAlerts.base.addingTimeInterval(13.5))
        #expect(closed.map(\.framesMatched) == [2])
        #expect(policy.openIncidentCount == 0)
    }

    @Test("open incidents are bounded: the quietest is closed first")
    func bounded() {
        var policy = IncidentPolicy(settings: .init(window: 1000, maxOpenIncidents: 3))
        for index in 0..<10 {
            var candidate = Self.image
            candidate.subject = "entry:\(index)"
            _ = policy.observe(TestAlerts.observation(at: Double(index), candidates: [candidate]))
        }
        #expect(policy.openIncidentCount == 3)
        #expect(policy.incident(.init(stream: "cam", bank: "known", subject: "entry:9")) != nil)
        #expect(policy.incident(.init(stream: "cam", bank: "known", subject: "entry:0")) == nil)
    }

    @Test("a known video opens one incident once its standing matches, on a sample near it, and carries the standing")
    func videoStanding() throws {
        func candidate(_ distance: Int?, isMatch: Bool, frames: Int, query: Double, compared: Double) -> MatchCandidate {
            MatchCandidate(
                bank: "known", subject: "video:clip", entry: .init(id: "clip"), distance: distance,
                video: VideoProgress(isMatch: isMatch, queryPercent: query, comparedPercent: compared, framesMatched: frames))
        }
        var policy = IncidentPolicy()
        // Near, but the rule does not match yet: no incident.
        #expect(policy.observe(TestAlerts.observation(at: 0, candidates: [candidate(4, isMatch: false, frames: 1, query: 20, compared: 5)])).isEmpty)
        // The rule matches on a near sample: one alert with the standing.
        let opened = policy.observe(TestAlerts.observation(
            at: 1, candidates: [candidate(6, isMatch: true, frames: 2, query: 40, compared: 10), candidate(2, isMatch: true, frames: 2, query: 40, compared: 10)]))
        let alert = try #require(opened.first?.alert)
        #expect(opened.count == 1 && opened.first == .open(alert))
        #expect(alert.distance == 2)
        #expect(alert.framesMatched == 2)
        #expect(alert.videoMatch == Alert.VideoMatch(queryPercent: 40, comparedPercent: 10))
        // A sample that misses the video still moves its percentages, but not its last sighting.
        let moved = policy.observe(TestAlerts.observation(at: 2, candidates: [candidate(nil, isMatch: true, frames: 2, query: 33.333, compared: 10)]))
        #expect(moved.first?.alert.videoMatch == Alert.VideoMatch(queryPercent: 33.3, comparedPercent: 10))
        #expect(moved.first?.alert.lastSeen == alert.lastSeen)
        #expect(policy.openIncidentCount == 1)
    }
}

/// Hashes far apart from each other.
enum TestHashes {
    static func distinct(_ seed: Int) -> PDQHash {
        var generator = SplitMix64(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        return PDQHash(words: (generator.next(), generator.next(), generator.next(), generator.next()))
    }
}
