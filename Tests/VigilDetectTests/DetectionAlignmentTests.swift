import Testing
import VigilDetect
import VigilHash
import VigilMatch
import VigilMedia
import VigilTestSupport

/// Near misses and temporal alignment in the detection path: an edited copy whose every frame lies
/// a little past the threshold, over a bank of one hash a second.
@Suite("Detection state: near misses and temporal alignment")
struct DetectionAlignmentTests {
    @Test("a near miss starts tracking and asks for focus; focus samples near the next known frames match as a run")
    func nearMissesInTimeMatch() throws {
        let (known, matcher) = DetectionFocusTests.knownVideo()
        var state = DetectionState(input: "stream")
        // Known frame 2 at 30.2 s, 40 bits off: no finding, but a candidate.
        let first = state.add(FrameMatches(DetectionFocusTests.sample(30.2, DetectionStateTests.near(known[2], bits: 40)),
                                           matchers: [matcher]))
        #expect(first.findings.isEmpty)
        let standing = try #require(first.videos.first)
        #expect(!standing.isMatch)
        #expect(standing.latestDistance == 40)
        let focus = try #require(first.focus)
        // The next half second searched for the exact alignment, then the known frames 3 … 8.
        let expected = [30.3, 30.4, 30.5, 30.6, 30.7, 31.2, 32.2, 33.2, 34.2, 35.2, 36.2]
        #expect(focus.times.count == expected.count)
        #expect(zip(focus.times, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(focus.times)")
        // The focus samples land on known frames 3 and 4, each 40 bits off.
        let second = state.add(FrameMatches(DetectionFocusTests.sample(31.2, DetectionStateTests.near(known[3], bits: 40)),
                                            matchers: [matcher]))
        #expect(second.videos.first?.isMatch == false)
        #expect(second.videos.first?.result.alignedFrames == 2)
        let third = state.add(FrameMatches(DetectionFocusTests.sample(32.2, DetectionStateTests.near(known[4], bits: 40)),
                                           matchers: [matcher]))
        let matched = try #require(third.videos.first)
        #expect(matched.isMatch)
        #expect(matched.result.alignedFrames == 3)
        #expect(matched.framesMatched == 0, "no sample came within the threshold")
        #expect(matched.matchedAt == 32.2)
        let verdict = state.verdict()
        #expect(verdict.matched)
        #expect(verdict.videoMatches.first?.matchedAt == 32.2, "the time of the first match stays")
    }

    @Test("near misses against known frames out of order (no three in order), or past the aligned threshold, never match")
    func unalignedNearMisses() {
        let (known, matcher) = DetectionFocusTests.knownVideo()
        var shuffled = DetectionState(input: "stream")
        for (step, frame) in [9, 7, 5, 3, 1, 8, 6].enumerated() {
            _ = shuffled.add(FrameMatches(
                DetectionFocusTests.sample(Double(step), DetectionStateTests.near(known[frame], bits: 40)), matchers: [matcher]))
        }
        let verdict = shuffled.verdict()
        #expect(!verdict.matched)
        #expect(verdict.nearVideos.map(\.videoID) == ["clip"], "the near misses are reported for review")
        #expect(verdict.nearVideos.first?.bestDistance == 40)
        var far = DetectionState(input: "stream")
        for step in 0..<10 {
            let step = far.add(FrameMatches(
                DetectionFocusTests.sample(Double(step), DetectionStateTests.near(known[step], bits: 45)), matchers: [matcher]))
            #expect(step.videos.isEmpty, "45 bits is no candidate")
            #expect(step.focus == nil)
        }
        #expect(!far.verdict().matched)
    }

    @Test("a match inside a near miss's focus span corrects the offset; a match's own span is not asked again")
    func matchRefinesANearMiss() throws {
        let (known, matcher) = DetectionFocusTests.knownVideo()
        var state = DetectionState(input: "stream")
        _ = state.add(FrameMatches(DetectionFocusTests.sample(30.2, DetectionStateTests.near(known[2], bits: 40)),
                                   matchers: [matcher]))
        // 0.3 s later the copy lines up with known frame 2 itself: its frames 3 … are at 31.5 s on.
        let refined = state.add(FrameMatches(DetectionFocusTests.sample(30.5, DetectionStateTests.near(known[2], bits: 4)),
                                             matchers: [matcher]))
        let focus = try #require(refined.focus)
        #expect(focus.times == [31.5, 32.5, 33.5, 34.5, 35.5, 36.5])
        let again = state.add(FrameMatches(DetectionFocusTests.sample(31.5, DetectionStateTests.near(known[3], bits: 40)),
                                           matchers: [matcher]))
        #expect(again.focus == nil)
    }
}
