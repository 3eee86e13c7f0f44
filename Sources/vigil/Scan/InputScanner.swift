import VigilHash
import VigilMatch
import VigilMedia

/// Runs one input through the pipeline: sample and decode, hash on every core, match each frame
/// against every bank, then apply the video-level rule to the frames seen.
struct InputScanner {
    var matchers: [BankMatcher]
    var sampling: SamplingMode
    var dihedral: Bool
    var maxDuration: MediaDuration?
    var luma: LumaChoice
    var jobs: Int

    /// Scans `input`, handing each finding to `report` as it happens.
    func scan(_ input: String, report: (FrameFinding) -> Void) async throws -> ScanVerdict {
        let live = Self.isLive(input)
        let frames = FrameStream(url: input, options: MediaReaderOptions(sampling: sampling),
                                 capacity: 2 * jobs, overflow: live ? .dropOldest : .wait)
        let kind = try await InputKind.describe(frames, path: input, luma: luma)
        let pool = HasherPool(lumaPrecision: kind.lumaPrecision)
        let limit = maxDuration?.seconds ?? .infinity
        let limited = try frames.prefix { @Sendable in $0.ptsSeconds <= limit }

        var verdict = ScanVerdict(input: input)
        // Per dihedral variant, the query's frames for the video-level rule.
        var videoFrames = [[VideoMatchFrame]](repeating: [], count: dihedral ? Dihedral.allCases.count : 1)
        var candidateVideos: [Int: Set<String>] = [:]

        try await OrderedHashing(width: jobs, pool: pool, dihedral: dihedral).run(limited) { frame in
            verdict.framesHashed += 1
            let variants = frame.dihedral ?? [frame.hash]
            for (variantIndex, hash) in variants.enumerated() {
                videoFrames[variantIndex].append(VideoMatchFrame(hash: hash, quality: frame.quality))
            }
            var frameMatched = false
            var imageMatched = false
            for (bankIndex, matcher) in matchers.enumerated() {
                // One finding per frame and bank: the nearest entry over all variants, the original
                // first on ties. Every entry within the threshold still feeds the video rule.
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
                        input: input, ptsSeconds: frame.ptsSeconds, isKeyframe: frame.isKeyframe,
                        quality: frame.quality, hash: hash, variant: Dihedral(rawValue: variantIndex) ?? .original,
                        match: nearest, entriesWithinThreshold: matches.count)
                }
                if let best {
                    frameMatched = true
                    report(best)
                }
            }
            if imageMatched { verdict.imageMatches += 1 }
            if frameMatched { verdict.framesMatched += 1 }
        }
        if verdict.framesHashed == 0 {
            throw MediaError.noFrames(url: input)
        }

        // Only videos with a matching frame can reach the rule's query share.
        for (bankIndex, videoIDs) in candidateVideos.sorted(by: { $0.key < $1.key }) {
            let matcher = matchers[bankIndex]
            for videoID in videoIDs.sorted() {
                guard let video = matcher.bank.video(id: videoID) else { continue }
                let compared = video.frames.map(\.matchFrame)
                let best = videoFrames
                    .map { matcher.videoRule.evaluateBestWindow(query: $0, compared: compared, videoID: video.id,
                                                                windowFrames: Self.videoWindowFrames) }
                    .max { $0.queryPercent < $1.queryPercent }
                if let best, best.isMatch {
                    verdict.videoMatches.append((matcher.bank.name, best))
                }
            }
        }
        return verdict
    }

    /// Sampled frames in the window the video rule judges: about 10 s of key frames at a 2 s GOP,
    /// long enough that chance coincidences do not add up, short enough to find a spliced clip.
    static let videoWindowFrames = 5

    /// Network sources move on whether or not Vigil keeps up: there the freshest frame wins.
    static func isLive(_ input: String) -> Bool {
        guard let schemeEnd = input.range(of: "://") else { return false }
        return input[..<schemeEnd.lowerBound].lowercased() != "file"
    }
}
