import Testing
import VigilDetect
import VigilHash
import VigilMatch
import VigilMedia
import VigilTestSupport

@Suite("Detection state: the one path from matches to a verdict")
struct DetectionStateTests {
    /// A hash `bits` bits away from `hash` (the low bits flipped).
    static func near(_ hash: PDQHash, bits: Int) -> PDQHash {
        var words = hash.words
        let mask: UInt64 = bits >= 64 ? .max : (UInt64(1) << UInt64(bits)) - 1
        words.0 ^= mask
        return PDQHash(words: words)
    }

    static func random(_ generator: inout SplitMix64) -> PDQHash {
        PDQHash(words: (generator.next(), generator.next(), generator.next(), generator.next()))
    }

    /// A bank holding one known video of `frames`, `perSecond` a second (one, as exchanges share
    /// video, by default), as `vigil hash` would describe it.
    static func videoBank(_ frames: [PDQHash], perSecond: Double = 1, quality: (Int) -> Int = { _ in 90 }) -> BankMatcher {
        let video = BankVideo(id: "clip", file: "clip.txt", frames: frames.enumerated().map {
            VideoFrameHash(hash: $0.element, quality: quality($0.offset), frameNumber: $0.offset,
                           timestampSeconds: Double($0.offset) / perSecond)
        })
        var seen: Set<PDQHash> = []
        let entries = frames.enumerated().compactMap { index, hash -> BankEntry? in
            guard seen.insert(hash).inserted else { return nil }
            return BankEntry(hash: hash, quality: quality(index), sources: [SourceLocation(file: "clip.txt", line: index + 1)],
                             videoFrames: [VideoFrameRef(videoID: "clip", frameNumber: index, timestampSeconds: Double(index) / perSecond)])
        }
        return BankMatcher(bank: Bank(name: "known", entries: entries, videos: [video]))
    }

    static func frame(_ index: Int, _ hash: PDQHash, quality: Int = 90, crop: CropRect? = nil) -> HashedFrame {
        HashedFrame(index: index, ptsSeconds: Double(index) * 2, isKeyframe: true, crop: crop, hash: hash, quality: quality)
    }

    @Test("after every sample, a known video's standing equals the batch video rule over the samples so far",
          arguments: 0..<40)
    func incrementalEqualsBatch(seed: Int) throws {
        var generator = SplitMix64(state: UInt64(seed) &* 7919 &+ 11)
        let known = (0..<Int.random(in: 3...30, using: &generator)).map { _ in Self.random(&generator) }
        let qualities = known.map { _ in Int.random(in: 0...9, using: &generator) == 0 ? 30 : 90 }
        let matcher = Self.videoBank(known, quality: { qualities[$0] })
        let rule = matcher.videoRule
        var state = DetectionState(input: "seed-\(seed)")
        // The samples the batch rule sees: a cropped copy that matches where its frame did not
        // stands in for the frame.
        var judged: [VideoMatchFrame] = []
        var lastWholeMatched = false
        for index in 0..<Int.random(in: 1...60, using: &generator) {
            let pick = Int.random(in: 0..<10, using: &generator)
            let hash = pick < 5 ? Self.near(known.randomElement(using: &generator)!, bits: Int.random(in: 0...40, using: &generator))
                : Self.random(&generator)
            let quality = Int.random(in: 0...9, using: &generator) == 0 ? 20 : 80
            let isCrop = index > 0 && pick == 9
            let crop = isCrop ? CropRect(x: 0, y: 10, width: 64, height: 44) : nil
            let matches = FrameMatches(Self.frame(index, hash, quality: quality, crop: crop), matchers: [matcher])
            let step = state.add(matches)
            let matched = !matches.isEmpty
            if isCrop {
                if matched, !lastWholeMatched, !judged.isEmpty {
                    judged[judged.count - 1] = VideoMatchFrame(hash: hash, quality: quality, time: Double(index) * 2)
                    lastWholeMatched = true
                }
            } else {
                judged.append(VideoMatchFrame(hash: hash, quality: quality, time: Double(index) * 2))
                lastWholeMatched = matched
            }
            guard let standing = step.videos.first else { continue }
            let batch = rule.evaluateBestWindow(
                query: judged,
                compared: known.indices.map { VideoMatchFrame(hash: known[$0], quality: qualities[$0], time: Double($0)) },
                videoID: "clip", windowFrames: DetectionState.Settings().windowFrames)
            #expect(standing.result == batch, "seed \(seed), sample \(index)")
        }
    }

    @Test("a verdict never takes a match back: a video matched early stays matched after unrelated samples")
    func matchIsKept() throws {
        var generator = SplitMix64(state: 5)
        let known = (0..<10).map { _ in Self.random(&generator) }
        let matcher = Self.videoBank(known)
        var state = DetectionState(input: "clip")
        let first = state.add(FrameMatches(Self.frame(0, known[0]), matchers: [matcher]))
        #expect(first.videos.first?.isMatch == true)
        for index in 1...9 {
            _ = state.add(FrameMatches(Self.frame(index, Self.random(&generator)), matchers: [matcher]))
        }
        let verdict = state.verdict()
        #expect(verdict.framesHashed == 10)
        #expect(verdict.framesMatched == 1)
        let video = try #require(verdict.videoMatches.first)
        #expect(video.isMatch)
        #expect(video.result.isMatch == false)  // the rule over all ten alone would not match
        #expect(video.result.queryPercent == 20)  // best window: 1 of 5
        #expect(video.framesMatched == 1)
        #expect(verdict.matched)
    }

    @Test("image entries are findings on their own; a video frame alone in a long input is not a verdict")
    func imagesAndVideos() throws {
        var generator = SplitMix64(state: 9)
        let picture = Self.random(&generator)
        let known = (0..<10).map { _ in Self.random(&generator) }
        let images = BankMatcher(bank: Bank(name: "pictures", entries: [
            BankEntry(hash: picture, ids: ["p1"], sources: [SourceLocation(file: "p.csv", line: 2)]),
        ]))
        let videos = Self.videoBank(known)
        var state = DetectionState(input: "stream")
        for index in 0..<6 { _ = state.add(FrameMatches(Self.frame(index, Self.random(&generator)), matchers: [images, videos])) }
        let step = state.add(FrameMatches(Self.frame(6, Self.near(picture, bits: 3)), matchers: [images, videos]))
        #expect(step.findings.map(\.match.bank) == ["pictures"])
        #expect(step.imageMatches.map(\.distance) == [3])
        let lone = state.add(FrameMatches(Self.frame(7, known[3]), matchers: [images, videos]))
        #expect(lone.videos.first?.latestDistance == 0)
        #expect(lone.videos.first?.isMatch == false)
        _ = state.add(FrameMatches(Self.frame(8, Self.random(&generator)), matchers: [images, videos]))
        let verdict = state.verdict()
        #expect(verdict.imageMatches == 1)
        #expect(verdict.videoMatches.isEmpty)
        #expect(verdict.matched)
        #expect(verdict.framesMatched == 2)
    }

    @Test("a forgotten video is judged afresh when it comes back")
    func forget() {
        var generator = SplitMix64(state: 3)
        let known = (0..<10).map { _ in Self.random(&generator) }
        let matcher = Self.videoBank(known)
        var state = DetectionState(input: "cam")
        for index in 0..<8 { _ = state.add(FrameMatches(Self.frame(index, Self.random(&generator)), matchers: [matcher])) }
        _ = state.add(FrameMatches(Self.frame(8, known[0]), matchers: [matcher]))
        _ = state.add(FrameMatches(Self.frame(9, known[1]), matchers: [matcher]))
        #expect(state.verdict().videoMatches.count == 1)
        state.forget(bank: "known", videoID: "clip")
        #expect(state.verdict().videoMatches.isEmpty)
        let back = state.add(FrameMatches(Self.frame(10, known[2]), matchers: [matcher]))
        // Judged again over the history: two matching samples of the last five, and this one.
        #expect(back.videos.first?.framesMatched == 3)
    }
}
