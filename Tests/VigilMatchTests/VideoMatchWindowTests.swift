import Testing
import VigilHash
import VigilMatch
import VigilTestSupport

@Suite("VideoMatchRule: best window")
struct VideoMatchWindowTests {
    static func frames(_ count: Int, _ rng: inout SplitMix64) -> [VideoMatchFrame] {
        (0..<count).map { _ in VideoMatchFrame(hash: PDQHash(words: (rng.next(), rng.next(), rng.next(), rng.next())), quality: 100) }
    }

    @Test("known footage spliced between unrelated footage matches by its window, not the whole")
    func splicedFootage() {
        var rng = SplitMix64(state: 42)
        let known = Self.frames(6, &rng)
        let query = Self.frames(5, &rng) + known + Self.frames(5, &rng)
        let rule = VideoMatchRule()
        let whole = rule.evaluate(query: query, compared: known, videoID: "v")
        #expect(!whole.isMatch)
        let windowed = rule.evaluateBestWindow(query: query, compared: known, videoID: "v", windowFrames: 5)
        #expect(windowed.isMatch)
        #expect(windowed.queryPercent == 100)
        #expect(windowed.comparedPercent == 100)
    }

    @Test("scattered single coincidences do not add up to a window")
    func scatteredFramesDoNotMatch() {
        var rng = SplitMix64(state: 43)
        let known = Self.frames(6, &rng)
        var query = Self.frames(20, &rng)
        query[3] = known[0]
        query[12] = known[1]
        let result = VideoMatchRule().evaluateBestWindow(query: query, compared: known, videoID: "v", windowFrames: 5)
        #expect(!result.isMatch)
        #expect(result.queryPercent == 20)
    }

    @Test("a query shorter than the window is judged whole")
    func shortQuery() {
        var rng = SplitMix64(state: 44)
        let known = Self.frames(6, &rng)
        let query = Array(known.prefix(2)) + Self.frames(1, &rng)
        let result = VideoMatchRule().evaluateBestWindow(query: query, compared: known, videoID: "v", windowFrames: 5)
        #expect(result == VideoMatchRule().evaluate(query: query, compared: known, videoID: "v"))
        #expect(!result.isMatch)
    }
}
