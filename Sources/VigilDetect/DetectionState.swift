import VigilHash
import VigilMatch
import VigilMedia

/// Detection for one input, sample by sample: the one place where matches become findings and
/// a verdict. `vigil scan` feeds it a file's samples and prints the verdict at the end; the daemon
/// keeps one per stream and raises an alert when a standing turns into a match. The same samples
/// give the same verdict either way.
///
/// Rules, in order:
/// - each sample gives at most one finding per bank: its nearest entry over all variants, the
///   original first on ties;
/// - a cropped copy of a frame (borders or an inset) is the same moment as the frame before it:
///   it is not counted as another sample, and when it matches where the whole frame did not, its
///   hashes stand in for the whole frame's in the video rule;
/// - a known video with a frame within the video rule's ``VideoMatchRule/alignedThreshold`` of any
///   sample (a match, or a near miss) is tracked from then on with the bank's video rule over the
///   input's samples (the latest ``Settings/historyFrames`` before it, and all after), judged on
///   the best window of ``Settings/windowFrames`` samples, or on a run of samples that follow the
///   known video in time (``AlignedRuns``); once it matches, the verdict keeps the match;
/// - a sample within the aligned threshold of a frame of a known video that has not matched yet
///   asks for focus (``Step/focus``): samples at the times where the known video's other frames
///   fall if the stream shows it from that frame on (bank frame times plus the offset), for the
///   next ``Settings/focusSpan`` seconds. Banks of one hash a second then meet samples that line
///   up with their own instead of key frames that fall between them, and an edited copy whose
///   frames all lie a little past the threshold gets the aligned samples that can prove it. After
///   a near miss, the next ``Settings/refineSpan`` seconds are searched too, where the exact
///   alignment may lie, and a match there corrects the offset;
/// - a whole picture too flat or dark for any bank (quality under every bank's minimum) asks for
///   the next picture instead, up to ``Settings/lowQualityRetries`` times in a row: a copy whose
///   only key frame is dark is judged on the next good picture, as near the key frame's time
///   (and a bank sample there) as can be.
public struct DetectionState: Sendable {
    /// Tunables shared by every caller, so that the CLI and the daemon judge alike.
    public struct Settings: Sendable, Equatable {
        /// Samples in the window the video rule judges: about 10 s of key frames at a 2 s GOP,
        /// long enough that chance coincidences do not add up, short enough to find a spliced clip.
        public var windowFrames: Int
        /// Samples kept from before a known video was first seen, so it is judged on them too.
        public var historyFrames: Int
        /// Media seconds after a matching sample that its focus request covers: long enough for
        /// the video rule's run and window to fill, short enough that a chance match costs little.
        public var focusSpan: Double
        /// Least time between two focus samples: an every-frame bank would otherwise ask for
        /// every picture.
        public var focusSpacing: Double
        /// Low-quality pictures in a row replaced by the next one (half a second at 25 fps); then
        /// a black screen costs nothing more until a good picture comes.
        public var lowQualityRetries: Int
        /// After a near miss, media seconds searched for the picture that lines up with the known
        /// frame exactly (at most half the gap to the known video's next frame): with one hash a
        /// second, a key frame may fall up to half a second from the bank's sample, and on moving
        /// content that costs more bits than an edit does.
        public var refineSpan: Double
        /// Time between two of those search samples.
        public var refineStep: Double

        /// Creates settings.
        public init(
            windowFrames: Int = 5, historyFrames: Int = 1024, focusSpan: Double = 6, focusSpacing: Double = 0.5,
            lowQualityRetries: Int = 12, refineSpan: Double = 0.5, refineStep: Double = 0.1
        ) {
            self.windowFrames = windowFrames
            self.historyFrames = max(1, historyFrames)
            self.focusSpan = max(0, focusSpan)
            self.focusSpacing = max(0, focusSpacing)
            self.lowQualityRetries = max(0, lowQualityRetries)
            self.refineSpan = max(0, refineSpan)
            self.refineStep = max(0.01, refineStep)
        }
    }

    /// What one sample changed.
    public struct Step: Sendable {
        /// One finding per bank with a match, in bank order.
        public var findings: [FrameFinding]
        /// Image entries (still pictures) within the threshold of the sample, over all variants.
        public var imageMatches: [BankMatch]
        /// Every known video tracked, with its standing after this sample.
        public var videos: [VideoStanding]
        /// Times to sample next, where a known video this sample matched predicts its own frames
        /// fall; `nil` when there is nothing to focus on.
        public var focus: FocusRequest?
    }

    private struct TrackKey: Hashable, Sendable {
        var bank: String
        var videoID: String
    }

    /// The settings in force.
    public let settings: Settings
    private var counts: Verdict
    /// Committed moments per variant, oldest first, at most `historyFrames`.
    private var history: [[VideoMatchFrame]] = []
    private var pending: [VideoMatchFrame]?
    private var lastWholeFrameMatched = false
    private var tracks: [TrackKey: VideoTrack] = [:]
    /// Per known video, the media time until which a focus request already covers it, and
    /// whether a near miss asked for it (a match inside the span may then correct its offset).
    private var focusCover: [TrackKey: (until: Double, fromNearMiss: Bool)] = [:]
    /// Whole pictures in a row too poor for every bank.
    private var lowQualityStreak = 0

    /// Starts detection for `input`.
    public init(input: String, settings: Settings = Settings()) {
        self.settings = settings
        counts = Verdict(input: input)
    }

    /// Samples taken so far (cropped copies not counted).
    public var framesHashed: Int { counts.framesHashed }

    /// Takes the next sample, in presentation order.
    public mutating func add(_ matches: FrameMatches) -> Step {
        let frame = matches.frame
        if let allowed = matches.suppressedBy { counts.suppressions[allowed.bank, default: 0] += 1 }
        let moment = frame.variants.map { VideoMatchFrame(hash: $0, quality: frame.quality, time: frame.ptsSeconds) }
        var findings: [FrameFinding] = []
        var images: [BankMatch] = []
        /// Per known video, its frame nearest to this sample: the distance, the bank time, and
        /// whether it is past the bank's threshold (a near miss).
        var nearest: [TrackKey: (distance: Int, bankTime: Double, isNearMiss: Bool)] = [:]
        for (bankOrder, bank) in matches.banks.enumerated() {
            var best: FrameFinding?
            for (variantIndex, variantMatches) in bank.variants.enumerated() {
                for match in variantMatches where match.entry.isImage { images.append(match) }
                guard let match = variantMatches.first, match.distance < (best?.match.distance ?? .max) else { continue }
                best = FrameFinding(
                    input: counts.input, ptsSeconds: frame.ptsSeconds, isKeyframe: frame.isKeyframe, quality: frame.quality,
                    hash: frame.variants[variantIndex], variant: Dihedral(rawValue: variantIndex) ?? .original,
                    crop: frame.crop, match: match, entriesWithinThreshold: variantMatches.count)
            }
            if let best { findings.append(best) }
            for candidate in bank.videoCandidates.joined() {
                for video in candidate.entry.videoFrames {
                    let key = TrackKey(bank: bank.matcher.bank.name, videoID: video.videoID)
                    if candidate.distance < nearest[key]?.distance ?? .max {
                        nearest[key] = (candidate.distance, video.timestampSeconds, candidate.distance > bank.matcher.threshold)
                    }
                    if tracks[key] == nil, let known = bank.matcher.bank.video(id: video.videoID) {
                        tracks[key] = VideoTrack(
                            bank: key.bank, bankOrder: bankOrder, video: known, label: candidate.entry.label,
                            rule: bank.matcher.videoRule, windowFrames: settings.windowFrames,
                            variantCount: moment.count, history: history)
                        if let pending { tracks[key]?.begin(pending) }
                    }
                }
            }
        }
        record(moment, isCrop: frame.crop != nil, matched: !findings.isEmpty, imageMatched: !images.isEmpty)
        for (key, frame) in nearest { tracks[key]?.saw(distance: frame.distance) }
        var videos: [VideoStanding] = []
        var focusTimes: [Double] = []
        for key in orderedKeys() {
            guard var standing = tracks[key]?.standing(latestDistance: nearest[key]?.distance) else { continue }
            standing.matchedAt = tracks[key]?.remember(standing, at: frame.ptsSeconds)
            videos.append(standing)
            if !standing.isMatch, let aligned = nearest[key] {
                focusTimes += focus(on: key, at: frame.ptsSeconds, bankTime: aligned.bankTime, isNearMiss: aligned.isNearMiss)
            }
        }
        focusTimes += replacement(for: frame, floor: matches.banks.map(\.matcher.minQuality).min())
        let focus = focusTimes.isEmpty ? nil : FocusRequest(times: focusTimes)
        return Step(findings: findings, imageMatches: images, videos: videos, focus: focus)
    }

    /// A focus time that selects the picture after the current one, whatever the frame rate.
    static let nextPicture = 0.001

    /// A whole picture under every bank's quality minimum can match nothing: the next picture
    /// stands in for it, a few times in a row at most.
    private mutating func replacement(for frame: HashedFrame, floor: Int?) -> [Double] {
        guard frame.crop == nil, let floor else { return [] }
        guard frame.quality < floor else {
            lowQualityStreak = 0
            return []
        }
        lowQualityStreak += 1
        guard lowQualityStreak <= settings.lowQualityRetries else { return [] }
        // Any time just after this picture's: the reader takes the first picture past it.
        return [frame.ptsSeconds + Self.nextPicture]
    }

    /// The times to sample if the stream shows `key`'s video from `bankTime` on at `time`: its
    /// frame times shifted by the offset, over the next ``Settings/focusSpan`` seconds, at least
    /// ``Settings/focusSpacing`` apart; after a near miss, also the pictures of the next
    /// ``Settings/refineSpan`` seconds, where the exact alignment may lie. None while an earlier
    /// request still covers the video, unless that came from a near miss and this is a match,
    /// whose offset is the better one.
    private mutating func focus(on key: TrackKey, at time: Double, bankTime: Double, isNearMiss: Bool) -> [Double] {
        guard settings.focusSpan > 0, let frameTimes = tracks[key]?.frameTimes else { return [] }
        if let cover = focusCover[key], time < cover.until, isNearMiss || !cover.fromNearMiss { return [] }
        let end = time + settings.focusSpan
        focusCover[key] = (end, isNearMiss)
        var times: [Double] = []
        for bankFrame in frameTimes {
            let predicted = bankFrame - bankTime + time
            guard predicted > time, predicted <= end else { continue }
            if let last = times.last, predicted - last < settings.focusSpacing { continue }
            times.append(predicted)
        }
        guard isNearMiss else { return times }
        // Half the gap to the known video's next frame: past it, that frame is the nearer one.
        let gap = frameTimes.first { $0 > bankTime + 1e-6 }.map { $0 - bankTime } ?? settings.refineSpan * 2
        let span = min(settings.refineSpan, gap / 2)
        let steps = Int((span / settings.refineStep + 1e-6).rounded(.down))
        guard steps > 0 else { return times }
        return (times + (1...steps).map { time + Double($0) * settings.refineStep }).sorted()
    }

    /// Stops tracking a known video (the daemon closed its incident): if it comes back, it is
    /// judged afresh.
    public mutating func forget(bank: String, videoID: String) {
        tracks[TrackKey(bank: bank, videoID: videoID)] = nil
        focusCover[TrackKey(bank: bank, videoID: videoID)] = nil
    }

    /// The verdict over every sample so far.
    public func verdict() -> Verdict {
        var verdict = counts
        for key in orderedKeys() {
            guard let standing = tracks[key]?.standing(latestDistance: nil) else { continue }
            if standing.isMatch {
                verdict.videoMatches.append(standing)
            } else {
                verdict.nearVideos.append(standing)
            }
        }
        return verdict
    }

    /// Counts the sample and moves the video rule's moments along.
    private mutating func record(_ moment: [VideoMatchFrame], isCrop: Bool, matched: Bool, imageMatched: Bool) {
        if isCrop {
            guard matched, !lastWholeFrameMatched, pending != nil else { return }
            pending = moment
            for key in tracks.keys { tracks[key]?.replacePending(moment) }
            counts.framesMatched += 1
            if imageMatched { counts.imageMatches += 1 }
            lastWholeFrameMatched = true
            return
        }
        if let pending {
            if history.isEmpty { history = Array(repeating: [], count: pending.count) }
            for index in history.indices {
                history[index].append(pending[index])
                if history[index].count > settings.historyFrames { history[index].removeFirst() }
            }
        }
        pending = moment
        for key in tracks.keys { tracks[key]?.begin(moment) }
        counts.framesHashed += 1
        if matched { counts.framesMatched += 1 }
        if imageMatched { counts.imageMatches += 1 }
        lastWholeFrameMatched = matched
    }

    private func orderedKeys() -> [TrackKey] {
        tracks.keys.sorted { lhs, rhs in
            let left = tracks[lhs]?.bankOrder ?? 0
            let right = tracks[rhs]?.bankOrder ?? 0
            return left != right ? left < right : lhs.videoID < rhs.videoID
        }
    }
}
