import Foundation
import Synchronization
import VigilMedia

/// The daemon's stream session: VigilMedia's `StreamSession` (reconnects with backoff and jitter,
/// stall watchdog, key-frame gap fallback, near-duplicate dropping, border crops), reported as
/// ``FrameSourceEvent``s.
///
/// Local files end at their end and are never reopened; by default they play at their own frame
/// rate, so that a file stands in for a live stream (demos, tests, replays of a recording).
public struct SessionFrameSource: FrameSource {
    /// Tunables that are not part of a stream's spec.
    public struct Settings: Sendable, Equatable {
        /// Whether local files play at their frame rate (true) or as fast as they decode.
        public var paceFiles = true
        /// How often counters (decode errors, drops, reconnects, stalls) are turned into events.
        public var counterInterval: Duration = .milliseconds(250)
        /// Deadlines; nil takes the session's defaults for the source's kind.
        public var timeouts: StreamTimeouts?
        /// Retries after a live source is lost.
        public var reconnect = ReconnectPolicy()

        /// Creates the defaults.
        public init() {}
    }

    /// The stream.
    public let stream: StreamSpec
    /// The settings in force.
    public let settings: Settings

    /// Creates a session for `stream`.
    public init(stream: StreamSpec, settings: Settings = Settings()) {
        self.stream = stream
        self.settings = settings
    }

    /// What the session is asked to do for this stream.
    public var options: StreamOptions {
        // One decoder thread per stream: a daemon runs many streams on few cores.
        let media = MediaReaderOptions(sampling: stream.sampling, maxDimension: 8192, maxPixels: 4096 * 4096, decoderThreads: 1)
        let policy = SamplingPolicy(maxKeyframeGap: stream.maxKeyframeGap, fallbackOnFiles: stream.maxKeyframeGap != nil)
        return StreamOptions(media: media, policy: policy, timeouts: settings.timeouts, reconnect: settings.reconnect)
    }

    public func run(_ emit: @escaping @Sendable (FrameSourceEvent) -> Void) async {
        let session: StreamSession
        do {
            session = try StreamSession(url: stream.url, options: options)
        } catch {
            emit(.state(.failed, detail: error.description))
            return
        }
        // The session is over once its reader is done, possibly with frames still buffered; the
        // terminal state is reported after the last of them has been handed out.
        let states = Task { () -> StreamStateChange? in
            for await change in session.stateChanges() {
                if change.state.isTerminal { return change }
                emit(.state(StreamRunState(change.state), detail: change.reason?.description))
            }
            return nil
        }
        let counters = Task { () -> StreamCounters in
            var reported = StreamCounters()
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.counterInterval)
                reported = Self.report(session.counters, since: reported, emit)
            }
            return reported
        }
        // A session the daemon stops ends as `ended`; the supervisor reports that as `stopped`.
        let stoppedByDaemon = Atomic<Bool>(false)
        await withTaskCancellationHandler {
            await play(session, emit)
        } onCancel: {
            stoppedByDaemon.store(true, ordering: .releasing)
            session.stop()
        }
        session.stop()
        let final = await states.value
        counters.cancel()
        _ = Self.report(session.counters, since: await counters.value, emit)
        if let final, !stoppedByDaemon.load(ordering: .acquiring) {
            emit(.state(StreamRunState(final.state), detail: final.reason?.description))
        }
    }

    /// Hands out the session's frames until it ends, pacing files at their frame rate.
    private func play(_ session: StreamSession, _ emit: @Sendable (FrameSourceEvent) -> Void) async {
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
                emit(.frame(frame))
            }
        } catch {
            // The session's own state change (failed, with its reason) reports why it ended.
        }
    }

    /// Emits what grew between `previous` and `current`; returns `current`.
    private static func report(
        _ current: StreamCounters, since previous: StreamCounters, _ emit: (FrameSourceEvent) -> Void
    ) -> StreamCounters {
        for _ in previous.reconnects..<max(previous.reconnects, current.reconnects) { emit(.reconnect(reason: "source lost")) }
        for _ in previous.stalls..<max(previous.stalls, current.stalls) { emit(.stall) }
        if current.decodeErrors > previous.decodeErrors {
            emit(.decodeErrors(current.decodeErrors - previous.decodeErrors))
        }
        if current.droppedFrames > previous.droppedFrames {
            emit(.droppedFrames(current.droppedFrames - previous.droppedFrames))
        }
        return current
    }
}

extension StreamRunState {
    /// The daemon's name for a session state (the same names).
    init(_ state: StreamState) {
        switch state {
        case .connecting: self = .connecting
        case .live: self = .live
        case .stalled: self = .stalled
        case .backoff: self = .backoff
        case .ended: self = .ended
        case .failed: self = .failed
        }
    }
}

/// Makes ``SessionFrameSource`` sessions.
public struct SessionFrameSourceFactory: FrameSourceFactory {
    /// Settings given to every session.
    public var settings: SessionFrameSource.Settings

    /// Creates a factory.
    public init(settings: SessionFrameSource.Settings = .init()) {
        self.settings = settings
    }

    public func makeSource(for stream: StreamSpec) -> any FrameSource {
        SessionFrameSource(stream: stream, settings: settings)
    }
}
