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
        #expect(focus.times.first == 31.2)
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
        #expect(state.verdict().matched)
    }

    @Test("near misses against known frames out of order (no three in order), or past the aligned threshold, never match")
    func unalignedNearMisses() {
        let (known, matcher) = DetectionFocusTests.knownVideo()
        var shuffled = DetectionState(input: "stream")
        for (step, frame) in [9, 7, 5, 3, 1, 8, 6].enumerated() {
            _ = shuffled.add(FrameMatches(
                DetectionFocusTests.sample(Double(step), DetectionStateTests.near(known[frame], bits: 40)), matchers: [matcher]))
        }
        #expect(!shuffled.verdict().matched)
        var far = DetectionState(input: "stream")
        for step in 0..<10 {
            let step = far.add(FrameMatches(
                DetectionFocusTests.sample(Double(step), DetectionStateTests.near(known[step], bits: 45)), matchers: [matcher]))
            #expect(step.videos.isEmpty, "45 bits is no candidate")
            #expect(step.focus == nil)
        }
        #expect(!far.verdict().matched)
    }
}
