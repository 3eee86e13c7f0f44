import VigilDetect
import VigilHash
import VigilMatch
import VigilMedia

/// Runs one input through the pipeline: sample and decode, hash on every core, match each frame
/// against every bank, then apply the video-level rule to the frames seen.
///
/// Videos, files and live streams alike, go through a ``StreamSession`` — the daemon's live
/// pipeline, with its key-frame-gap fallback, border crops and near-duplicate drop — so a replay
/// sees what the daemon would have seen. Still images are read directly.
struct InputScanner {
    var matchers: [BankMatcher]
    var sampling: SamplingMode
    var dihedral: Bool
    var maxDuration: MediaDuration?
    var luma: LumaChoice
    var jobs: Int

    /// Scans `input`, handing each finding to `report` as it happens.
    func scan(_ input: String, report: (FrameFinding) -> Void) async throws -> Verdict {
        let source = try StreamSource(input)
        var state = DetectionState(input: input)
        if source.isLive {
            try await hashVideo(source, precision: luma.precision(isStillImage: false), into: &state, report: report)
        } else {
            let probe = FrameStream(url: input, options: MediaReaderOptions(sampling: sampling), capacity: 2 * jobs)
            let kind = try await InputKind.describe(probe, path: input, luma: luma)
            if kind.info.isStillImage {
                let pool = HasherPool(lumaPrecision: kind.lumaPrecision)
                try await OrderedHashing(width: jobs, pool: pool, dihedral: dihedral).run(probe) { frame in
                    detect(frame, into: &state, report: report)
                }
            } else {
                try await hashVideo(source, precision: kind.lumaPrecision, into: &state, report: report)
            }
        }
        guard state.framesHashed > 0 else {
            throw MediaError.noFrames(url: input)
        }
        return state.verdict()
    }

    private func hashVideo(
        _ source: StreamSource, precision: LumaPrecision, into state: inout DetectionState, report: (FrameFinding) -> Void
    ) async throws {
        var options = StreamOptions()
        options.media.sampling = sampling
        // --max-duration is media time, enforced on frame timestamps below; the session's own limit
        // is wall-clock time, so it only backs that up for a stream that stalls or keeps reconnecting.
        options.maxDuration = maxDuration.map { $0.seconds * 2 + 30 }
        // A replayed file gets the same defence against rare key frames as a live stream.
        options.policy.fallbackOnFiles = true
        if !source.isLive {
            options.media.decoderThreads = 0
        }
        let session = StreamSession(source: source, options: options)
        defer { session.stop() }
        let pool = HasherPool(lumaPrecision: precision)
        // The session bounds reading by time; media time is what the user asked for, so frames
        // past it are not hashed even when the session reads ahead of the clock (files).
        let limit = maxDuration?.seconds ?? .infinity
        let frames = try session.frames.prefix { @Sendable in $0.ptsSeconds <= limit }
        try await OrderedHashing(width: jobs, pool: pool, dihedral: dihedral).run(frames) { frame in
            detect(frame, into: &state, report: report)
        }
    }

    private func detect(_ frame: HashedFrame, into state: inout DetectionState, report: (FrameFinding) -> Void) {
        for finding in state.add(FrameMatches(frame, matchers: matchers)).findings {
            report(finding)
        }
    }
}
