import VigilHash

/// Decides whether a query video matches a known video, by vPDQ's comparison.
///
/// As in Meta's vPDQ (and python-threatexchange's brute-force matcher), frames are an unordered bag:
/// each side's frames are filtered to quality >= `minQuality` and reduced to distinct hashes, then
///
/// - `queryPercent` is the share of query frames within `frameThreshold` bits of some frame of the
///   known video, and
/// - `comparedPercent` is the share of the known video's frames within `frameThreshold` bits of some
///   query frame,
///
/// and the videos match when both reach their thresholds (and at least one frame matched, so that
/// thresholds of 0 never match unrelated videos).
///
/// Defaults: frames within 31 bits, quality >= 50, `queryMatchPercent` 80 and
/// `comparedMatchPercent` 0, the values python-threatexchange's vPDQ signal uses. Why the query
/// side carries the requirement: the query here is typically a live stream, a window of some
/// seconds or minutes that may be a short stretch of a much longer known video. Nearly all of
/// the window's frames should then be found in the known video (`queryPercent` high), while the
/// window covers only a small part of the known video, so `comparedPercent` starts near zero and
/// only grows as the stream goes on. Requiring a `comparedPercent` (vPDQ's README uses 80% in its
/// example, which suits comparing two whole uploads) would miss every excerpt until most of the
/// known video had been streamed. 80% rather than 100% on the query side leaves room for frames
/// that an overlay, a transition or a re-encode pushes past the bit threshold. The price is that a
/// long query containing a short known clip scores low on both sides; frame-level matching, not
/// this rule, is what finds such clips, and callers can apply the rule to a sliding window.
public struct VideoMatchRule: Sendable, Hashable {
    /// Largest Hamming distance at which two frames count as the same (vPDQ's default, 31).
    public var frameThreshold: Int
    /// Frames below this PDQ quality are ignored on both sides: flat or dark frames hash alike
    /// whatever the video, so matching them would join unrelated videos.
    public var minQuality: Int
    /// Lowest `queryPercent` (0...100) that can match.
    public var queryMatchPercent: Double
    /// Lowest `comparedPercent` (0...100) that can match.
    public var comparedMatchPercent: Double
    /// In ``evaluateBestWindow(query:compared:videoID:windowFrames:)``: this many consecutive
    /// good-quality query frames, every one near a frame of the known video, match whatever the
    /// shares; 0 turns it off. Sampled at key frames, known footage spliced between unrelated
    /// footage often yields only two or three samples, too few to outweigh the unrelated ones in
    /// any window, yet two consecutive frame matches against the same known video are already
    /// stronger evidence than the single frame match that raises an image alert.
    public var sustainedFrames: Int
    /// Largest distance at which a query frame counts toward a temporally aligned run (at least
    /// `frameThreshold`): a lone frame this far from a known frame proves nothing, but several
    /// frames that each come this near the known video's frames *in the known video's order and
    /// pace* do. Defaults to 13 bits past `frameThreshold` (44 at the default 31): an edit such as
    /// a logo or a caption over fast-moving footage leaves frames at the bank's own times 32–44
    /// bits away, while unrelated footage stays above 44 (see the detection-quality benchmark).
    public var alignedThreshold: Int
    /// A run of this many query frames within ``alignedThreshold`` of distinct known frames, in
    /// the known video's order and at a plausible speed, matches on its own; 0 turns it off.
    public var alignedFrames: Int

    /// How far past ``frameThreshold`` the default ``alignedThreshold`` lies.
    public static let defaultAlignedMargin = 13

    /// Creates a rule; the defaults suit matching a live stream against whole known videos (see the
    /// type's documentation).
    public init(
        frameThreshold: Int = 31, minQuality: Int = 50, queryMatchPercent: Double = 80, comparedMatchPercent: Double = 0,
        sustainedFrames: Int = 2, alignedThreshold: Int? = nil, alignedFrames: Int = 3
    ) {
        self.frameThreshold = frameThreshold
        self.minQuality = minQuality
        self.queryMatchPercent = queryMatchPercent
        self.comparedMatchPercent = comparedMatchPercent
        self.sustainedFrames = sustainedFrames
        self.alignedThreshold = max(frameThreshold, alignedThreshold ?? frameThreshold + Self.defaultAlignedMargin)
        self.alignedFrames = max(0, alignedFrames)
    }

    /// Compares query frames with a known video.
    public func evaluate(query: [VideoMatchFrame], against video: BankVideo) -> VideoMatchResult {
        evaluate(query: query, compared: video.frames.map(\.matchFrame), videoID: video.id)
    }

    /// Compares query frames with the frames of the known video `videoID`.
    public func evaluate(query: [VideoMatchFrame], compared: [VideoMatchFrame], videoID: String) -> VideoMatchResult {
        let queryHashes = distinctUsableHashes(query)
        let comparedHashes = distinctUsableHashes(compared)
        let queryMatched = countNear(queryHashes, in: comparedHashes)
        let comparedMatched = countNear(comparedHashes, in: queryHashes)
        let queryPercent = Self.percent(queryMatched, of: queryHashes.count)
        let comparedPercent = Self.percent(comparedMatched, of: comparedHashes.count)
        return VideoMatchResult(
            videoID: videoID,
            queryPercent: queryPercent,
            comparedPercent: comparedPercent,
            queryFrames: queryHashes.count,
            comparedFrames: comparedHashes.count,
            isMatch: queryMatched > 0
                && queryPercent >= queryMatchPercent
                && comparedPercent >= comparedMatchPercent
        )
    }

    /// Like ``evaluate(query:compared:videoID:)``, but the query share is that of the best run of
    /// `windowFrames` consecutive good-quality query frames, so known footage spliced between
    /// unrelated footage, or a known clip inside a long stream, still matches; a run of
    /// ``sustainedFrames`` consecutive near frames matches on its own; and so does a run of
    /// ``alignedFrames`` frames that follow the known video in time (``AlignedRuns``) within
    /// ``alignedThreshold``, for frames that carry times on both sides.
    ///
    /// `query` must be in presentation order. Queries no longer than the window are judged whole.
    /// The compared share is still over the whole query.
    public func evaluateBestWindow(
        query: [VideoMatchFrame], compared: [VideoMatchFrame], videoID: String, windowFrames: Int
    ) -> VideoMatchResult {
        let whole = evaluate(query: query, compared: compared, videoID: videoID)
        let comparedHashes = distinctUsableHashes(compared)
        let timedKnown = timedUsable(compared)
        let usable = query.filter { $0.quality >= minQuality }
        let near = usable.map { frame in comparedHashes.contains { $0.distance(to: frame.hash) <= frameThreshold } }
        var queryPercent = whole.queryPercent
        var best = near.count(where: { $0 })
        if windowFrames > 0, near.count > windowFrames {
            var inWindow = near[0..<windowFrames].count(where: { $0 })
            best = inWindow
            for end in windowFrames..<near.count {
                inWindow += (near[end] ? 1 : 0) - (near[end - windowFrames] ? 1 : 0)
                best = max(best, inWindow)
            }
            queryPercent = max(queryPercent, Self.percent(best, of: windowFrames))
        }
        var runs = AlignedRuns()
        for frame in usable {
            guard let time = frame.time else { continue }
            runs.add(time: time, knownTimes: alignedHits(for: frame.hash, among: timedKnown).map(\.time))
        }
        let sustained = sustainedFrames > 0 && Self.longestRun(near) >= sustainedFrames
        return VideoMatchResult(
            videoID: videoID,
            queryPercent: queryPercent,
            comparedPercent: whole.comparedPercent,
            queryFrames: whole.queryFrames,
            comparedFrames: whole.comparedFrames,
            isMatch: whole.comparedPercent >= comparedMatchPercent
                && (best > 0 && (queryPercent >= queryMatchPercent || sustained) || isAligned(runs.longest)),
            alignedFrames: runs.longest
        )
    }

    /// Whether a run of `alignedRun` frames that follow the known video in time matches.
    public func isAligned(_ alignedRun: Int) -> Bool {
        alignedFrames > 0 && alignedRun >= alignedFrames
    }

    /// The known video's good-quality frames that carry a time, for ``alignedHits(for:among:)``.
    public func timedUsable(_ frames: [VideoMatchFrame]) -> [VideoMatchFrame] {
        frames.filter { $0.quality >= minQuality && $0.time != nil }
    }

    /// The frames of `known` (see ``timedUsable(_:)``) within ``alignedThreshold`` of `hash`,
    /// nearest first (earlier first on ties), at most ``AlignedRuns/hitsPerFrame``: their
    /// distances and times. The first is the nearest of all `known`, so it also says whether
    /// `hash` is within ``frameThreshold`` of the video.
    public func alignedHits(for hash: PDQHash, among known: [VideoMatchFrame]) -> [(distance: Int, time: Double)] {
        var hits: [(distance: Int, time: Double)] = []
        for frame in known {
            guard let time = frame.time else { continue }
            let distance = frame.hash.distance(to: hash)
            if distance <= alignedThreshold { hits.append((distance, time)) }
        }
        hits.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.time < $1.time }
        return Array(hits.prefix(AlignedRuns.hitsPerFrame))
    }

    private static func longestRun(_ flags: [Bool]) -> Int {
        var longest = 0
        var current = 0
        for flag in flags {
            current = flag ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }

    /// Good-quality hashes without repeats, so a static scene of many identical frames counts once
    /// rather than outweighing the rest of the video.
    private func distinctUsableHashes(_ frames: [VideoMatchFrame]) -> [PDQHash] {
        var seen: Set<PDQHash> = []
        return frames.compactMap { frame in
            frame.quality >= minQuality && seen.insert(frame.hash).inserted ? frame.hash : nil
        }
    }

    /// How many of `hashes` are within the threshold of some hash in `others`. Brute force: known
    /// videos have hundreds to thousands of frames, and exact duplicates are gone already.
    private func countNear(_ hashes: [PDQHash], in others: [PDQHash]) -> Int {
        hashes.count(where: { hash in
            others.contains { $0.distance(to: hash) <= frameThreshold }
        })
    }

    private static func percent(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) * 100 / Double(whole)
    }
}
