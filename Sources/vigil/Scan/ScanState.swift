import VigilHash
import VigilMatch
import VigilMedia

/// What scanning one input has seen so far: the verdict being built, and the query frames for the
/// video-level rule.
struct ScanState {
    let matchers: [BankMatcher]
    private(set) var verdict: ScanVerdict
    /// Per dihedral variant, the query's frames in order, for the video-level rule.
    private var videoFrames: [[VideoMatchFrame]]
    /// Known videos with at least one matching frame, per bank: the only ones that can match.
    private var candidateVideos: [Int: Set<String>] = [:]
    /// Whether the last whole frame matched anything (its border crop follows it).
    private var lastWholeFrameMatched = false

    init(input: String, matchers: [BankMatcher], variants: Int) {
        self.matchers = matchers
        verdict = ScanVerdict(input: input)
        videoFrames = Array(repeating: [], count: variants)
    }

    /// Matches one hashed frame against every bank, reporting one finding per bank: the nearest
    /// entry over all variants, the original first on ties. Every entry within the threshold still
    /// feeds the video rule.
    ///
    /// A border crop is the same moment as the whole frame before it: it is not counted as another
    /// frame, and when it matches where the whole frame did not, its hashes stand in for the whole
    /// frame's in the video rule.
    mutating func add(_ frame: HashedFrame, report: (FrameFinding) -> Void) {
        let variants = frame.dihedral ?? [frame.hash]
        let isCrop = frame.crop != nil
        var matched = false
        var imageMatched = false
        for (bankIndex, matcher) in matchers.enumerated() {
            var best: FrameFinding?
            for (variantIndex, hash) in variants.enumerated() {
                let matches = matcher.matches(for: hash, quality: frame.quality)
                for match in matches {
                    imageMatched = imageMatched || match.entry.isImage
                    for video in match.entry.videoFrames {
                        candidateVideos[bankIndex, default: []].insert(video.videoID)
                    }
                }
                guard let nearest = matches.first, nearest.distance < (best?.match.distance ?? .max) else { continue }
                best = FrameFinding(
                    input: verdict.input, ptsSeconds: frame.ptsSeconds, isKeyframe: frame.isKeyframe,
                    quality: frame.quality, hash: hash, variant: Dihedral(rawValue: variantIndex) ?? .original,
                    crop: frame.crop, match: nearest, entriesWithinThreshold: matches.count)
            }
            if let best {
                matched = true
                report(best)
            }
        }

        if isCrop {
            guard matched, !lastWholeFrameMatched else { return }
            for (variantIndex, hash) in variants.enumerated() where !videoFrames[variantIndex].isEmpty {
                videoFrames[variantIndex][videoFrames[variantIndex].count - 1] = VideoMatchFrame(hash: hash, quality: frame.quality)
            }
            verdict.framesMatched += 1
            if imageMatched { verdict.imageMatches += 1 }
            lastWholeFrameMatched = true
            return
        }
        verdict.framesHashed += 1
        for (variantIndex, hash) in variants.enumerated() {
            videoFrames[variantIndex].append(VideoMatchFrame(hash: hash, quality: frame.quality))
        }
        if matched { verdict.framesMatched += 1 }
        if imageMatched { verdict.imageMatches += 1 }
        lastWholeFrameMatched = matched
    }

    /// The verdict, with the video-level rule applied to every candidate video.
    func finish() -> ScanVerdict {
        var verdict = self.verdict
        for (bankIndex, videoIDs) in candidateVideos.sorted(by: { $0.key < $1.key }) {
            let matcher = matchers[bankIndex]
            for videoID in videoIDs.sorted() {
                guard let video = matcher.bank.video(id: videoID) else { continue }
                let compared = video.frames.map(\.matchFrame)
                let best = videoFrames
                    .map { matcher.videoRule.evaluateBestWindow(query: $0, compared: compared, videoID: video.id,
                                                                windowFrames: InputScanner.videoWindowFrames) }
                    .max { $0.queryPercent < $1.queryPercent }
                if let best, best.isMatch {
                    verdict.videoMatches.append((matcher.bank.name, best))
                }
            }
        }
        return verdict
    }
}
