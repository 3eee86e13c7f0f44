import Testing
import VigilDetect
import VigilHash
import VigilMatch
import VigilMedia
import VigilTestSupport

/// Focus requests: where detection asks the reader to sample next when a sample meets a known video.
@Suite("Detection state: focus requests")
struct DetectionFocusTests {
    static func sample(_ pts: Double, _ hash: PDQHash) -> HashedFrame {
        HashedFrame(index: Int(pts * 25), ptsSeconds: pts, isKeyframe: true, hash: hash, quality: 90)
    }

    /// Ten known frames, one a second (0 … 9 s), as exchanges share video.
    static func knownVideo() -> (hashes: [PDQHash], matcher: BankMatcher) {
        var generator = SplitMix64(state: 42)
        let hashes = (0..<10).map { _ in DetectionStateTests.random(&generator) }
        return (hashes, DetectionStateTests.videoBank(hashes))
    }

    @Test("a sample near a known frame asks for the known video's next frames, shifted by the offset, over the focus span")
    func focusFollowsTheAlignment() throws {
        let (known, matcher) = Self.knownVideo()
        var generator = SplitMix64(state: 7)
        var state = DetectionState(input: "stream")
        let unrelated = state.add(FrameMatches(Self.sample(10, DetectionStateTests.random(&generator)), matchers: [matcher]))
        #expect(unrelated.focus == nil)
        // Known frame 3 (at 3 s) seen at 12.5 s: the video's frames 4 … 9 would be at 13.5 … 18.5 s.
        let first = state.add(FrameMatches(Self.sample(12.5, DetectionStateTests.near(known[3], bits: 10)), matchers: [matcher]))
        #expect(first.videos.first?.isMatch == false)
        let focus = try #require(first.focus)
        #expect(focus.times == [13.5, 14.5, 15.5, 16.5, 17.5, 18.5])
        // Inside the span already covered: no new request.
        let second = state.add(FrameMatches(Self.sample(13.0, DetectionStateTests.near(known[3], bits: 12)), matchers: [matcher]))
        #expect(second.focus == nil)
    }

    @Test("a known video that has matched asks for no more focus; forgetting it allows focus again")
    func noFocusOnceMatched() {
        let (known, matcher) = Self.knownVideo()
        var state = DetectionState(input: "stream")
        // A first sample that matches is the whole query so far: the video matches at once.
        let step = state.add(FrameMatches(Self.sample(0, known[0]), matchers: [matcher]))
        #expect(step.videos.first?.isMatch == true)
        #expect(step.focus == nil)
        state.forget(bank: "known", videoID: "clip")
        var generator = SplitMix64(state: 9)
        _ = state.add(FrameMatches(Self.sample(20, DetectionStateTests.random(&generator)), matchers: [matcher]))
        let again = state.add(FrameMatches(Self.sample(22, known[5]), matchers: [matcher]))
        #expect(again.focus?.times == [23, 24, 25, 26])
    }

    @Test("focus samples are spaced: an every-frame bank does not ask for every picture, nor for a search after a near miss")
    func spacing() throws {
        var generator = SplitMix64(state: 3)
        let hashes = (0..<250).map { _ in DetectionStateTests.random(&generator) }
        let matcher = DetectionStateTests.videoBank(hashes, perSecond: 25)
        var state = DetectionState(input: "stream")
        _ = state.add(FrameMatches(Self.sample(0, DetectionStateTests.random(&generator)), matchers: [matcher]))
        let step = state.add(FrameMatches(Self.sample(1, DetectionStateTests.near(hashes[0], bits: 8)), matchers: [matcher]))
        let times = try #require(step.focus?.times)
        #expect(times.count == 12, "\(times)")
        #expect(zip(times, times.dropFirst()).allSatisfy { $1 - $0 >= 0.5 - 1e-9 }, "\(times)")
        #expect(times.allSatisfy { $0 > 1 && $0 <= 7 }, "\(times)")
        // A near miss (40 bits): the bank's next frame is a picture away, so there is no gap to
        // search, only the known frames' own times.
        var nearMiss = DetectionState(input: "stream")
        let missed = nearMiss.add(FrameMatches(Self.sample(10, DetectionStateTests.near(hashes[0], bits: 40)), matchers: [matcher]))
        let missTimes = try #require(missed.focus?.times)
        #expect(zip(missTimes, missTimes.dropFirst()).allSatisfy { $1 - $0 >= 0.5 - 1e-9 }, "\(missTimes)")
        #expect(missTimes.first.map { abs($0 - 10.04) < 1e-9 } == true, "\(missTimes)")
    }

    @Test("a focus span of 0 turns focus off")
    func off() {
        let (known, matcher) = Self.knownVideo()
        var generator = SplitMix64(state: 5)
        var state = DetectionState(input: "stream", settings: .init(focusSpan: 0))
        _ = state.add(FrameMatches(Self.sample(0, DetectionStateTests.random(&generator)), matchers: [matcher]))
        #expect(state.add(FrameMatches(Self.sample(2, known[4]), matchers: [matcher])).focus == nil)
    }

    @Test("a picture too poor for every bank asks for the next picture, twelve times in a row at most")
    func lowQualityReplacement() {
        let (known, matcher) = Self.knownVideo()
        var state = DetectionState(input: "stream")
        func add(_ pts: Double, quality: Int) -> [Double]? {
            let frame = HashedFrame(index: Int(pts * 25), ptsSeconds: pts, isKeyframe: true, hash: known[0], quality: quality)
            return state.add(FrameMatches(frame, matchers: [matcher])).focus?.times
        }
        for picture in 0..<12 {
            let pts = Double(picture) * 0.04
            #expect(add(pts, quality: 10) == [pts + 0.001], "picture \(picture)")
        }
        #expect(add(0.48, quality: 10) == nil, "a black screen costs nothing more")
        #expect(add(2.0, quality: 10) == nil)
        // A good picture (it matches at once: the video's first sample) starts the count afresh.
        _ = add(4.0, quality: 90)
        #expect(add(6.0, quality: 10) == [6.001])
    }

}
