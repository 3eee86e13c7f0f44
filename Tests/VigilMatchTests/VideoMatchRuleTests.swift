import Testing
import VigilHash
import VigilTestSupport
import VigilMatch

@Suite("Video-level match rule (vPDQ)")
struct VideoMatchRuleTests {
    /// A known video of 100 distinct, unrelated frames.
    static let known = BankVideo(
        id: "known",
        file: "known.txt",
        frames: TestHashes.random(100, seed: 1).enumerated().map { index, hash in
            VideoFrameHash(hash: hash, quality: 100, frameNumber: index, timestampSeconds: Double(index) / 10)
        }
    )

    @Test("defaults: 31 bits, quality 50, query 80%, compared 0%")
    func defaults() {
        let rule = VideoMatchRule()
        #expect(rule.frameThreshold == 31)
        #expect(rule.minQuality == 50)
        #expect(rule.queryMatchPercent == 80)
        #expect(rule.comparedMatchPercent == 0)
    }

    @Test("an identical video matches 100% both ways")
    func identical() {
        let query = Self.known.frames.map(\.matchFrame)
        let result = VideoMatchRule().evaluate(query: query, against: Self.known)
        #expect(result == VideoMatchResult(
            videoID: "known", queryPercent: 100, comparedPercent: 100, queryFrames: 100, comparedFrames: 100, isMatch: true))
    }

    @Test("a re-encoded copy (every frame some bits off, within the threshold) still matches 100%")
    func nearCopy() {
        let query = Self.known.frames.map { VideoMatchFrame(hash: TestHashes.flipped($0.hash, bits: 31), quality: 90) }
        let result = VideoMatchRule().evaluate(query: query, against: Self.known)
        #expect(result.queryPercent == 100)
        #expect(result.comparedPercent == 100)
        let tooFar = Self.known.frames.map { VideoMatchFrame(hash: TestHashes.flipped($0.hash, bits: 32), quality: 90) }
        #expect(VideoMatchRule().evaluate(query: tooFar, against: Self.known).queryPercent == 0)
    }

    @Test("a 20% excerpt (a live window) matches: query 100%, compared 20%")
    func excerpt() {
        let query = Self.known.frames[40..<60].map(\.matchFrame)
        let result = VideoMatchRule().evaluate(query: query, against: Self.known)
        #expect(result.queryPercent == 100)
        #expect(result.comparedPercent == 20)
        #expect(result.isMatch)
        // A rule demanding most of the known video, as for comparing two whole uploads, misses it.
        #expect(!VideoMatchRule(comparedMatchPercent: 80).evaluate(query: query, against: Self.known).isMatch)
    }

    @Test("an unrelated video scores 0 and does not match, even with 0% thresholds")
    func unrelated() {
        let query = TestHashes.random(50, seed: 2).map { VideoMatchFrame(hash: $0, quality: 100) }
        let rule = VideoMatchRule(queryMatchPercent: 0, comparedMatchPercent: 0)
        let result = rule.evaluate(query: query, against: Self.known)
        #expect(result.queryPercent == 0)
        #expect(result.comparedPercent == 0)
        #expect(!result.isMatch)
    }

    @Test("a window with too much other content misses the query threshold")
    func partlyOther() {
        let matching = Self.known.frames[0..<7].map(\.matchFrame)
        let other = TestHashes.random(3, seed: 3).map { VideoMatchFrame(hash: $0, quality: 100) }
        let result = VideoMatchRule().evaluate(query: matching + other, against: Self.known)
        #expect(result.queryPercent == 70)
        #expect(result.comparedPercent == 7)
        #expect(!result.isMatch)
    }

    @Test("low-quality frames are ignored on both sides")
    func lowQualityIgnored() {
        // Dark frames hash alike across videos; here the query's low-quality frames are exact copies
        // of known frames, and must not count.
        let good = Self.known.frames[0..<8].map(\.matchFrame)
        let dark = Self.known.frames[50..<60].map { VideoMatchFrame(hash: $0.hash, quality: 49) }
        let unrelatedGood = TestHashes.random(2, seed: 4).map { VideoMatchFrame(hash: $0, quality: 50) }
        let result = VideoMatchRule().evaluate(query: good + dark + unrelatedGood, against: Self.known)
        #expect(result.queryFrames == 10)
        #expect(result.queryPercent == 80)
        #expect(result.comparedPercent == 8)
        #expect(result.isMatch)

        var lowKnown = Self.known
        for index in lowKnown.frames.indices where index >= 50 {
            lowKnown.frames[index].quality = 10
        }
        let whole = VideoMatchRule().evaluate(query: Self.known.frames.map(\.matchFrame), against: lowKnown)
        #expect(whole.comparedFrames == 50)
        #expect(whole.queryPercent == 50)
        #expect(whole.comparedPercent == 100)
    }

    @Test("repeated frames count once, as in vPDQ")
    func repeatsCountOnce() {
        let still = Self.known.frames[0].matchFrame
        let query = Array(repeating: still, count: 9) + [VideoMatchFrame(hash: TestHashes.random(1, seed: 5)[0], quality: 100)]
        let result = VideoMatchRule().evaluate(query: query, against: Self.known)
        #expect(result.queryFrames == 2)
        #expect(result.queryPercent == 50)
        #expect(!result.isMatch)
    }

    @Test("no usable frames: 0%, no match, no division by zero")
    func noUsableFrames() {
        let dark = [VideoMatchFrame(hash: .zero, quality: 0)]
        let result = VideoMatchRule(queryMatchPercent: 0).evaluate(query: dark, against: Self.known)
        #expect(result.queryFrames == 0)
        #expect(result.queryPercent == 0)
        #expect(!result.isMatch)
    }

    @Test("on Meta's vPDQ fixture: the whole video matches itself, a 20% excerpt is found")
    func fixtureExcerpt() throws {
        let bank = try BankLoader.load(name: "vpdq", paths: [Fixtures.path("vpdq/test-padded-dimensions.txt")]).bank
        let video = try #require(bank.videos.first)
        let whole = VideoMatchRule().evaluate(query: video.frames.map(\.matchFrame), against: video)
        #expect(whole.queryPercent == 100)
        #expect(whole.comparedPercent == 100)
        #expect(whole.comparedFrames == 123)
        let excerpt = VideoMatchRule().evaluate(query: video.frames[60..<90].map(\.matchFrame), against: video)
        #expect(excerpt.queryPercent == 100)
        #expect(excerpt.isMatch)
        // Neighbouring frames of a real video are near each other, so an excerpt also reaches known
        // frames just outside it: compared is above the excerpt's 20% share, yet far from 100%.
        #expect(excerpt.comparedPercent >= 20)
        #expect(excerpt.comparedPercent < 100)
    }
}
