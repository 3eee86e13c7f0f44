import VigilHash
import VigilMatch
import VigilMedia

/// Runs one input through the pipeline: sample and decode, hash on every core, match each frame
/// against every bank, and judge it with ``DetectionState``: `vigil scan`, as a library, so a
/// replay can be tested without the binary.
///
/// Videos, files and live streams alike, go through a ``StreamSession`` — the daemon's live
/// pipeline, with its key-frame-gap fallback, border crops and near-duplicate drop — so a replay
/// sees what the daemon would have seen. Still images are read directly.
public struct InputScanner: Sendable {
    /// The banks.
    public var matchers: [BankMatcher]
    /// Which frames are sampled.
    public var sampling: SamplingMode
    /// Whether the seven rotations and mirror images of every frame are queried too.
    public var dihedral: Bool
    /// Media seconds after which each input stops (needed for live streams); nil reads to the end.
    public var maxDuration: Double?
    /// Luma arithmetic.
    public var luma: LumaChoice
    /// Frames hashed at once.
    public var jobs: Int

    /// Creates a scanner.
    public init(
        matchers: [BankMatcher], sampling: SamplingMode = .keyframes, dihedral: Bool = false, maxDuration: Double? = nil,
        luma: LumaChoice = .auto, jobs: Int
    ) {
        self.matchers = matchers
        self.sampling = sampling
        self.dihedral = dihedral
        self.maxDuration = maxDuration
        self.luma = luma
        self.jobs = jobs
    }

    /// Scans `input`, handing each finding to `report` as it happens.
    public func scan(_ input: String, report: (FrameFinding) -> Void) async throws -> Verdict {
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
        options.maxDuration = maxDuration.map { $0 * 2 + 30 }
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
        let limit = maxDuration ?? .infinity
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
