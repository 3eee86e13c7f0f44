import Foundation
import Logging
import Synchronization
import VigilMedia

/// The daemon's stream source: VigilMedia's `StreamSession` (reconnects with backoff and jitter,
/// stall watchdog, key-frame gap fallback, near-duplicate dropping, border and inset crops), with
/// its state and counters read straight from the session.
///
/// Local files end at their end and are never reopened; by default they play at their own frame
/// rate, so that a file stands in for a live stream (demos, tests, replays of a recording).
public final class SessionFrameSource: FrameSource {
    /// Tunables that are not part of a stream's spec.
    public struct Settings: Sendable, Equatable {
        /// Whether local files play at their frame rate (true) or as fast as they decode.
        public var paceFiles = true
        /// Deadlines; nil takes the session's defaults for the source's kind.
        public var timeouts: StreamTimeouts?
        /// Retries after a live source is lost.
        public var reconnect = ReconnectPolicy()
        /// Memory shared by every source's reader (`limits.memory`); nil: none.
        public var memoryBudget: MemoryBudget?
        /// Slots for opening connections shared by every source (`limits.concurrent_opens`);
        /// nil: none.
        public var connectionGate: ConnectionGate?

        /// Creates the defaults, with `memoryBudget` and `connectionGate` shared by the sources
        /// if given.
        public init(memoryBudget: MemoryBudget? = nil, connectionGate: ConnectionGate? = nil) {
            self.memoryBudget = memoryBudget
            self.connectionGate = connectionGate
        }
    }

    /// The stream.
    public let stream: StreamSpec
    /// The settings in force.
    public let settings: Settings
    private let logger: Logger

    private struct State {
        var session: StreamSession?
        /// Set when no session could be made (the URL was refused).
        var refused: SourceStatus?
        /// Whether every frame the session read has been handed out.
        var drained = false
        /// The latest error the session reported.
        var lastFault: SourceFault?
    }
    private let state = Mutex(State())
    private let created = Date()

    /// Creates a source for `stream`; nothing is opened until ``run(_:)``.
    public init(stream: StreamSpec, settings: Settings = Settings(), logger: Logger = Logger(label: "vigil")) {
        self.stream = stream
        self.settings = settings
        self.logger = logger
    }

    /// What the session is asked to do for this stream.
    public var options: StreamOptions { Self.options(for: stream, settings: settings) }

    /// What a session is asked to do for `stream` with `settings`: also what an ingest child's
    /// session is asked, so the daemon judges what a child sends by the same limits.
    public static func options(for stream: StreamSpec, settings: Settings) -> StreamOptions {
        // One decoder thread per stream: a daemon runs many streams on few cores.
        let media = MediaReaderOptions(sampling: stream.sampling, maxDimension: 8192, maxPixels: 4096 * 4096, decoderThreads: 1)
        let keyframes = stream.sampling == .keyframes
        let policy = SamplingPolicy(
            maxKeyframeGap: stream.maxKeyframeGap, fallbackOnFiles: stream.maxKeyframeGap != nil, acceptsFocus: keyframes)
        // A file is read in step with detection, as `vigil scan` reads it, so both sample the same
        // pictures (focus included) and reach the same verdict.
        return StreamOptions(
            media: media, policy: policy, timeouts: settings.timeouts, reconnect: settings.reconnect,
            acknowledgedHandOff: stream.isFile && keyframes, memoryBudget: settings.memoryBudget,
            connectionGate: settings.connectionGate)
    }

    public var feedback: SampleFeedback? {
        SampleFeedback(
            focus: { [self] request in currentSession?.focus(request) },
            acknowledge: { [self] in currentSession?.acknowledge() })
    }

    private var currentSession: StreamSession? { state.withLock { $0.session } }

    public var status: SourceStatus {
        let (session, refused, drained, lastFault) = state.withLock { ($0.session, $0.refused, $0.drained, $0.lastFault) }
        if let refused { return refused }
        guard let session else { return SourceStatus(state: .connecting, since: created) }
        var status = Self.status(of: session, drained: drained)
        status.lastFault = lastFault
        return status
    }

    private static func status(of session: StreamSession, drained: Bool) -> SourceStatus {
        let change = session.latestChange
        let counters = session.counters
        // The reader finishes ahead of a paced file's playback: the end counts once the last frame
        // has been handed out.
        if change.state.isTerminal && !drained {
            return SourceStatus(state: .live, since: change.at, counters: counters)
        }
        // Stopped, and the session's thread not yet back from a blocking call: it is stopped all
        // the same.
        if drained && !change.state.isTerminal {
            return SourceStatus(state: .stopped, since: change.at, counters: counters)
        }
        return SourceStatus(state: change.state, since: change.at, detail: change.reason?.description, counters: counters)
    }

    public func run(_ emit: @escaping @Sendable (Frame) -> Void) async {
        let session: StreamSession
        do {
            session = try StreamSession(url: stream.url, options: options)
        } catch {
            let fault = SourceFault(error: error, at: Date())
            state.withLock { $0.refused = SourceStatus(state: .failed, detail: error.description, lastFault: fault) }
            return
        }
        state.withLock { $0.session = session }
        // Errors are kept as they happen (the state moves on at the next reconnect; the
        // stream-health watch needs the latest one), and interruptions are worth a line in the
        // log, a few a minute at most per stream (a source that drops every second must not flood
        // it); the status is read elsewhere.
        let interruptions = Task { [logger, stream] in
            var limit = LogRateLimit()
            for await change in session.stateChanges() {
                if let reason = change.reason { self.state.withLock { $0.lastFault = SourceFault(error: reason, at: change.at) } }
                guard change.state == .backoff || change.state == .stalled else { continue }
                let (admitted, heldBack) = limit.admit(at: change.at.timeIntervalSince1970)
                guard admitted else { continue }
                var metadata: Logger.Metadata = [
                    "stream": "\(stream.id)", "state": "\(change.state.rawValue)", "reason": "\(change.reason?.description ?? "")",
                ]
                if heldBack > 0 { metadata["interruptions_not_logged"] = "\(heldBack)" }
                logger.warning("stream interrupted", metadata: metadata)
            }
        }
        defer { interruptions.cancel() }
        await withTaskCancellationHandler {
            await play(session, emit)
        } onCancel: {
            session.stop()
        }
        session.stop()
        state.withLock { $0.drained = true }
    }

    /// Hands out the session's frames until it ends, pacing files at their frame rate.
    private func play(_ session: StreamSession, _ emit: @Sendable (Frame) -> Void) async {
        let pace = stream.isFile && settings.paceFiles
        var start: (clock: ContinuousClock.Instant, pts: Double)?
        do {
            for try await frame in session.frames {
                if pace {
                    // Frame n is due `pts - first pts` after the first; the session's file reader
                    // waits meanwhile rather than dropping.
                    if let start {
                        let due = start.clock + .seconds(frame.ptsSeconds - start.pts)
                        try await Task.sleep(until: due, clock: .continuous)
                    } else {
                        start = (ContinuousClock.now, frame.ptsSeconds)
                    }
                }
                emit(frame)
            }
        } catch {
            // The session's own state (failed, with its reason) says why it ended.
        }
    }
}

/// Makes ``SessionFrameSource`` sources.
public struct SessionFrameSourceFactory: FrameSourceFactory {
    /// Settings given to every source.
    public var settings: SessionFrameSource.Settings
    /// Where sources log interruptions.
    public var logger: Logger

    /// Creates a factory.
    public init(settings: SessionFrameSource.Settings = .init(), logger: Logger = Logger(label: "vigil")) {
        self.settings = settings
        self.logger = logger
    }

    public func makeSource(for stream: StreamSpec) -> any FrameSource {
        SessionFrameSource(stream: stream, settings: settings, logger: logger)
    }
}
