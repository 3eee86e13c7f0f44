import VigilHash
import VigilMatch
import VigilMedia

/// Runs one input through the pipeline: sample and decode, hash on every core, match each frame
/// against every bank, and judge it with ``DetectionState``: `vigil scan`, as a library, so a
/// replay can be tested without the binary.
///
/// Every input (file, still image or live stream) is opened once, by a ``StreamSession`` with the
/// daemon's sampling (key-frame-gap fallback, border crops, near-duplicate drop), so a replay sees
/// what the daemon would have seen.
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
        let options = sessionOptions(isLive: source.isLive)
        let session = StreamSession(source: source, options: options)
        defer { session.stop() }
        let kind = try await InputKind.describe(session, path: input, luma: luma)
        var state = DetectionState(input: input)
        let pool = HasherPool(lumaPrecision: kind.lumaPrecision)
        // The session bounds reading by time; media time is what the user asked for, so frames
        // past it are not hashed even when the session reads ahead of the clock (files).
        let limit = maxDuration ?? .infinity
        let frames = try session.frames.prefix { @Sendable in $0.ptsSeconds <= limit }
        // A file read in step with detection hashes one frame at a time: the reader waits for each.
        let width = options.acknowledgedHandOff ? 1 : jobs
        try await OrderedHashing(width: width, pool: pool, dihedral: dihedral).run(frames) { frame in
            let step = state.add(FrameMatches(frame, matchers: matchers))
            for finding in step.findings {
                report(finding)
            }
            if let focus = step.focus { session.focus(focus) }
            session.acknowledge()
        }
        guard state.framesHashed > 0 else {
            throw MediaError.noFrames(url: input)
        }
        return state.verdict()
    }

    /// The daemon's sampling, with the key-frame gap fallback on files too.
    private func sessionOptions(isLive: Bool) -> StreamOptions {
        var options = StreamOptions()
        options.media.sampling = sampling
        // --max-duration is media time, enforced on frame timestamps; the session's own limit is
        // wall-clock time, so it only backs that up for a stream that stalls or keeps reconnecting.
        options.maxDuration = maxDuration.map { $0 * 2 + 30 }
        // A replayed file gets the same defence against rare key frames as a live stream.
        options.policy.fallbackOnFiles = true
        // Focus makes key-frame sampling take the pictures a candidate known video predicts; a
        // file is then read in step with detection, so every replay samples the same pictures.
        options.policy.acceptsFocus = sampling == .keyframes
        options.acknowledgedHandOff = !isLive && sampling == .keyframes
        if !isLive {
            options.media.decoderThreads = 0
            options.frameBufferCapacity = 2 * jobs
        }
        return options
    }
}
