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

    @Test("a query shorter than the window is judged whole, unless a sustained run matches")
    func shortQuery() {
        var rng = SplitMix64(state: 44)
        let known = Self.frames(6, &rng)
        let unrelated = Self.frames(2, &rng)
        let separated = [known[0], unrelated[0], known[1]]
        let noRun = VideoMatchRule().evaluateBestWindow(query: separated, compared: known, videoID: "v", windowFrames: 5)
        #expect(noRun == VideoMatchRule().evaluate(query: separated, compared: known, videoID: "v"))
        #expect(!noRun.isMatch)

        // Two key frames of known footage between unrelated ones: a splice as key-frame sampling sees it.
        let spliced = [unrelated[0], known[2], known[3], unrelated[1]]
        #expect(VideoMatchRule().evaluateBestWindow(query: spliced, compared: known, videoID: "v", windowFrames: 5).isMatch)
        #expect(!VideoMatchRule(sustainedFrames: 0).evaluateBestWindow(query: spliced, compared: known, videoID: "v", windowFrames: 5).isMatch)
        #expect(!VideoMatchRule(sustainedFrames: 3).evaluateBestWindow(query: spliced, compared: known, videoID: "v", windowFrames: 5).isMatch)
    }

    @Test("a run broken by a low-quality frame is not sustained; low-quality frames are skipped, not counted")
    func lowQualityFrames() {
        var rng = SplitMix64(state: 45)
        let known = Self.frames(6, &rng)
        let unrelated = Self.frames(8, &rng)
        var dark = known[1]
        dark.quality = 10
        // The dark frame is ignored, so known[0] and known[2] are consecutive good frames.
        let query = unrelated.prefix(4) + [known[0], dark, known[2]] + unrelated.suffix(4)
        #expect(VideoMatchRule().evaluateBestWindow(query: Array(query), compared: known, videoID: "v", windowFrames: 5).isMatch)
        let broken = unrelated.prefix(4) + [known[0], unrelated[5], known[2]] + unrelated.suffix(2)
        #expect(!VideoMatchRule().evaluateBestWindow(query: Array(broken), compared: known, videoID: "v", windowFrames: 5).isMatch)
    }
}
