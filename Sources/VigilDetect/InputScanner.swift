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
    /// Told, as it happens, each time a live input's connection fails and is tried again, with
    /// the reason (a refused URL, a timeout, a stall).
    public var onInterruption: (@Sendable (MediaError) -> Void)?
    /// Told after each hashed frame how far the scan has got (a progress display).
    public var onProgress: (@Sendable (ScanPosition) -> Void)?
    /// Told each hashed frame and the detection step it made, in frame order, before the next
    /// frame is judged (the daemon raises its alerts from these).
    public var onStep: (@Sendable (HashedFrame, DetectionState.Step) async -> Void)?
    /// Whether HTTP(S) inputs are recordings (uploads, finished playlists) read like files, as
    /// fast as they decode and in step with detection, rather than live streams; inputs of a live
    /// protocol are then refused.
    public var onDemand = false
    /// Whether reading and decoding run at the lowest CPU priority (work that yields to live
    /// streams).
    public var readsInBackground = false
    /// Where frames are hashed; nil gives each scan threads of its own.
    public var hashingThreads: (any HashingThreads)?
    /// Sizes refused once the input is opened; nil refuses none.
    public var limits: InputLimits?
    /// Attempts in a row that read nothing after which a live input is given up: a down stream,
    /// or an ended playlist whose segments cannot be read, ends the scan with its reason.
    public static let attemptsWithoutMedia = 5

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

    /// Reads inputs that are not live outside this process (the daemon reads scan jobs' uploads in
    /// ingest children), given the input and this scanner (the child's session is made by
    /// ``makeSession(_:)`` from the same settings); nil reads every input here.
    public var isolatedReader: (@Sendable (_ input: String, _ scanner: InputScanner) throws -> any SampledInput)?

    /// Scans `input`, handing each finding to `report` as it happens.
    public func scan(_ input: String, report: (FrameFinding) -> Void) async throws -> Verdict {
        let (source, options) = try sessionSettings(input)
        if let isolatedReader, !source.isLive {
            let reader = try isolatedReader(input, self)
            defer { reader.stop() }
            return try await scan(reader, input: input, options: options, report: report)
        }
        let session = StreamSession(source: source, options: options)
        defer { session.stop() }
        let watch = source.isLive ? LiveInputWatch(session: session, onInterruption: onInterruption) : nil
        defer { watch?.end() }
        do {
            return try await scan(session, input: input, options: options, report: report)
        } catch {
            // A session stopped by the watch ends with "cancelled": the watch knows why.
            if let failure = watch?.failure { throw failure }
            // So does one that reached its wall-clock end without media: say what kept it away.
            if let watch, case MediaError.cancelled = error, !Task.isCancelled {
                throw watch.lastInterruption
                    ?? MediaError.timedOut(url: input, operation: "waiting for media", seconds: options.maxDuration ?? 0)
            }
            throw error
        }
    }

    /// The session that reads `input` as this scanner does (not started).
    public func makeSession(_ input: String) throws(MediaError) -> StreamSession {
        let (source, options) = try sessionSettings(input)
        return StreamSession(source: source, options: options)
    }

    private func sessionSettings(_ input: String) throws(MediaError) -> (StreamSource, StreamOptions) {
        let named = try StreamSource(input)
        let source = onDemand ? try named.onDemand() : named
        return (source, sessionOptions(for: source))
    }

    private func scan(_ session: some SampledInput, input: String, options: StreamOptions, report: (FrameFinding) -> Void) async throws -> Verdict {
        // Findings and the verdict name the input without its credentials: they are printed.
        let shown = RedactedURL(input).description
        let kind = try await InputKind.describe(session, path: shown, luma: luma)
        try limits?.check(kind.info, input: shown)
        var state = DetectionState(input: shown)
        let pool = HasherPool(lumaPrecision: kind.lumaPrecision)
        // The session bounds reading by time; media time is what the user asked for, so frames
        // past it are not hashed even when the session reads ahead of the clock (files).
        let limit = maxDuration ?? .infinity
        let frames = try session.frames.prefix { @Sendable in $0.ptsSeconds <= limit }
        // A file read in step with detection hashes one frame at a time: the reader waits for each.
        let width = options.acknowledgedHandOff ? 1 : jobs
        let hashing = OrderedHashing(width: width, pool: pool, dihedral: dihedral, threads: hashingThreads)
        try await hashing.run(frames) { frame in
            let step = state.add(FrameMatches(frame, matchers: matchers))
            for finding in step.findings {
                report(finding)
            }
            await onStep?(frame, step)
            if let focus = step.focus { session.focus(focus) }
            session.acknowledge()
            onProgress?(ScanPosition(input: shown, seconds: frame.ptsSeconds, duration: session.info?.durationSeconds, framesHashed: state.framesHashed))
        }
        guard state.framesHashed > 0 else {
            throw MediaError.noFrames(url: input)
        }
        var verdict = state.verdict()
        verdict.fileMatches = try await FileMatch.find(input, in: matchers)
        return verdict
    }

    /// The daemon's sampling, with the key-frame gap fallback on files too.
    private func sessionOptions(for source: StreamSource) -> StreamOptions {
        let isLive = source.isLive
        var options = StreamOptions()
        options.media.sampling = sampling
        // --max-duration is media time, enforced on frame timestamps; the session's own limit is
        // wall-clock time. A live input plays in real time, so it ends the scan when no media
        // arrives: the duration plus the time to connect and probe. A file reads faster than real
        // time, or slower on a slow machine, and is bounded by its media time alone (the wall
        // clock only backs that up).
        let timeouts = StreamTimeouts.defaults(for: source.kind)
        options.maxDuration = maxDuration.map { isLive ? $0 + timeouts.open + timeouts.probe : $0 * 2 + 30 }
        if isLive { options.reconnect.maxAttempts = Self.attemptsWithoutMedia }
        // A replayed file gets the same defence against rare key frames as a live stream.
        options.policy.fallbackOnFiles = true
        // Focus makes key-frame sampling take the pictures a candidate known video predicts; a
        // file is then read in step with detection, so every replay samples the same pictures.
        options.policy.acceptsFocus = sampling == .keyframes
        options.acknowledgedHandOff = !isLive && sampling == .keyframes
        options.readsInBackground = readsInBackground
        if !isLive {
            // Key frames are decoded one at a time (each drained before the next), which decoder
            // threads cannot overlap: they would only add hand-offs. Decoding every picture, they
            // run ahead in parallel.
            options.media.decoderThreads = sampling == .keyframes ? 1 : 0
            options.frameBufferCapacity = 2 * jobs
        }
        return options
    }
}
