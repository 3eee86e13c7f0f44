import Testing
import VigilDetect
import VigilHash
import VigilMatch
import VigilTestSupport

@Suite("Allow-lists: known benign pictures silence matches")
struct AllowListTests {
    static func allowBank(_ hashes: [PDQHash]) -> BankMatcher {
        BankMatcher(bank: Bank(name: "intros", entries: hashes.map { BankEntry(hash: $0, quality: 90) }), role: .allow)
    }

    @Test("a frame no farther from an allow entry than from any known entry raises nothing, counted per allow bank; a nearer known entry still matches")
    func silences() {
        var generator = SplitMix64(state: 42)
        let known = (0..<6).map { _ in DetectionStateTests.random(&generator) }
        let matcher = DetectionStateTests.videoBank(known)
        // An intro that looks like the known video's first frames: 4 bits from them.
        let intro = known.prefix(3).map { DetectionStateTests.near($0, bits: 4) }
        let allow = Self.allowBank(intro)
        var state = DetectionState(input: "stream")
        for (index, hash) in intro.enumerated() {
            // The frame is the intro itself: 0 bits from the allow entry, 4 from the known one.
            let matches = FrameMatches(DetectionStateTests.frame(index, hash), matchers: [matcher, allow])
            #expect(matches.suppressedBy?.bank == "intros")
            #expect(matches.isEmpty)
            #expect(state.add(matches).findings.isEmpty)
        }
        // Equally near both: silenced (ties go to the allow-list).
        let tie = FrameMatches(DetectionStateTests.frame(3, DetectionStateTests.near(known[0], bits: 2)), matchers: [
            matcher, Self.allowBank([DetectionStateTests.near(known[0], bits: 4)]),
        ])
        #expect(tie.suppressedBy != nil)
        // The known video itself, from its fourth frame on: nearer the known entries; it matches.
        for (index, hash) in known.enumerated().dropFirst(3) {
            let matches = FrameMatches(DetectionStateTests.frame(index, hash), matchers: [matcher, allow])
            #expect(matches.suppressedBy == nil)
            _ = state.add(matches)
        }
        let verdict = state.verdict()
        #expect(verdict.suppressions == ["intros": 3])
        #expect(verdict.framesMatched == 3)
    }

    @Test("an allow-list with nothing to silence counts nothing")
    func nothingToSilence() {
        var generator = SplitMix64(state: 7)
        let known = (0..<3).map { _ in DetectionStateTests.random(&generator) }
        let unrelated = DetectionStateTests.random(&generator)
        let matches = FrameMatches(DetectionStateTests.frame(0, unrelated), matchers: [
            DetectionStateTests.videoBank(known), Self.allowBank([unrelated]),
        ])
        #expect(matches.suppressedBy == nil)
    }
}
