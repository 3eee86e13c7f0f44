import Testing
import VigilHash
import VigilMatch
import VigilTestSupport

@Suite("VideoMatchRule: temporal alignment")
struct VideoMatchAlignmentTests {
    static func random(_ rng: inout SplitMix64) -> PDQHash {
        PDQHash(words: (rng.next(), rng.next(), rng.next(), rng.next()))
    }

    /// `hash` with its lowest `bits` bits flipped.
    static func near(_ hash: PDQHash, bits: Int) -> PDQHash {
        var words = hash.words
        words.0 ^= bits >= 64 ? .max : (UInt64(1) << UInt64(bits)) - 1
        return PDQHash(words: words)
    }

    /// A known video of one hash a second, and a copy whose frames at 0.8 s intervals (1.25x)
    /// each lie `bits` from the known frame they show.
    static func copy(bits: Int, order: [Int] = [0, 1, 2, 3]) -> (known: [VideoMatchFrame], query: [VideoMatchFrame]) {
        var rng = SplitMix64(state: 77)
        let known = (0..<6).map { VideoMatchFrame(hash: random(&rng), quality: 100, time: Double($0)) }
        let query = order.enumerated().map { step, shown in
            VideoMatchFrame(hash: near(known[shown + 1].hash, bits: bits), quality: 100, time: Double(step) * 0.8)
        }
        return (known, query)
    }

    @Test("frames all past the threshold but within the aligned threshold, in the known order, match; out of order they do not")
    func looserThresholdWhenAligned() {
        let rule = VideoMatchRule()
        #expect(rule.alignedThreshold == 44)
        let aligned = Self.copy(bits: 40)
        let result = rule.evaluateBestWindow(query: aligned.query, compared: aligned.known, videoID: "v", windowFrames: 5)
        #expect(result.queryPercent == 0, "no frame within 31 bits")
        #expect(result.alignedFrames == 4)
        #expect(result.isMatch)
        let shuffled = Self.copy(bits: 40, order: [3, 0, 2, 1])
        let unordered = rule.evaluateBestWindow(query: shuffled.query, compared: shuffled.known, videoID: "v", windowFrames: 5)
        #expect(unordered.alignedFrames < 3)
        #expect(!unordered.isMatch)
    }

    @Test("past the aligned threshold, without times, or with alignment off, nothing matches")
    func bounds() {
        let far = Self.copy(bits: 45)
        #expect(!VideoMatchRule().evaluateBestWindow(query: far.query, compared: far.known, videoID: "v", windowFrames: 5).isMatch)
        let aligned = Self.copy(bits: 40)
        let untimed = aligned.query.map { VideoMatchFrame(hash: $0.hash, quality: $0.quality) }
        #expect(!VideoMatchRule().evaluateBestWindow(query: untimed, compared: aligned.known, videoID: "v", windowFrames: 5).isMatch)
        #expect(!VideoMatchRule(alignedFrames: 0).evaluateBestWindow(
            query: aligned.query, compared: aligned.known, videoID: "v", windowFrames: 5).isMatch)
        #expect(!VideoMatchRule(alignedThreshold: 39).evaluateBestWindow(
            query: aligned.query, compared: aligned.known, videoID: "v", windowFrames: 5).isMatch)
        #expect(VideoMatchRule(frameThreshold: 20).alignedThreshold == 33, "the margin follows the threshold")
        #expect(VideoMatchRule(frameThreshold: 40, alignedThreshold: 30).alignedThreshold == 40, "never below the threshold")
    }

    @Test("two aligned frames are not enough")
    func twoFrames() {
        let aligned = Self.copy(bits: 40, order: [0, 1])
        let result = VideoMatchRule().evaluateBestWindow(query: aligned.query, compared: aligned.known, videoID: "v", windowFrames: 5)
        #expect(result.alignedFrames == 2)
        #expect(!result.isMatch)
    }
}
