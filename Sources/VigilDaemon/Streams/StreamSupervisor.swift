import Foundation
import Logging
import Synchronization
import VigilMedia

/// Runs one source per stream and feeds their frames to the shared hashing pool.
///
/// Streams can be started and stopped at any time (config reload, API). Each runs in a task of its
/// own; a session that fails is the session's business (it reconnects), so one bad stream never
/// affects another. A stream's status is read when asked: the source's own state and counters,
/// plus what the supervisor counts itself (frames handed in and hashed, hashing-pool drops).
public final class StreamSupervisor: Sendable {
    /// What the supervisor itself counts for a stream.
    private struct Tally {
        var framesIn = 0
        var framesSampled = 0
        var poolDrops = 0
        var lastFrameAt: Date?
        var lastKeyframePTS: Double?
        var keyframeGap: Double?
        /// Set once the source's run has returned.
        var finished = false
        /// Source counters already added to the metrics (see ``refreshMetrics()``).
        var reported = StreamCounters()
    }

    private final class Runtime: Sendable {
        let spec: StreamSpec
        let source: any FrameSource
        let metrics: StreamMetrics
        /// The stream's URL as alerts name it: without credentials.
        let shownSource: String
        let tally = Mutex(Tally())
        let task = Mutex<Task<Void, Never>?>(nil)

        init(spec: StreamSpec, source: any FrameSource, metrics: StreamMetrics) {
            self.spec = spec
            shownSource = RedactedURL(spec.url).description
            self.source = source
            self.metrics = metrics
        }

        func status() -> StreamStatus { status(source.status) }

        /// The stream's status, given what its source reports now.
        func status(_ source: SourceStatus) -> StreamStatus {
            let tally = self.tally.withLock { $0 }
            var status = StreamStatus(spec: spec, now: source.since)
            // A source whose run returned without an end of its own was stopped.
            status.state = tally.finished && !source.state.isTerminal ? .stopped : source.state
            status.detail = source.detail
            status.framesIn = tally.framesIn
            status.framesSampled = tally.framesSampled
            status.framesDropped = source.counters.droppedFrames + tally.poolDrops
            status.reconnects = source.counters.reconnects
            status.stalls = source.counters.stalls
            status.decodeErrors = source.counters.decodeErrors
            status.packetsSkipped = source.counters.oversizedPackets
            status.picturesSkipped = source.counters.oversizedPictures
            status.keyframeGapSeconds = tally.keyframeGap
            status.lastFrameAt = tally.lastFrameAt
            return status
        }
    }

    private let factory: any FrameSourceFactory
    private let pool: HashingPool
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let runtimes = Mutex<[String: Runtime]>([:])
    private let order = Mutex<[String]>([])
    private let accepting = Atomic<Bool>(true)

    /// Told of every stream started, whoever started it (config, API, discovery, a reload).
    private let started: @Sendable (StreamSpec) -> Void

    /// Creates a supervisor that makes sources with `factory` and hashes on `pool`; `started` is
    /// told of each stream it starts.
    public init(
        factory: any FrameSourceFactory, pool: HashingPool, metrics: DaemonMetrics, logger: Logger,
        started: @escaping @Sendable (StreamSpec) -> Void = { _ in }
    ) {
        self.factory = factory
        self.pool = pool
        self.metrics = metrics
        self.logger = logger
        self.started = started
    }

    /// Starts watching a stream; false when a stream with its id is already running or the
    /// supervisor is stopping.
    @discardableResult
    public func start(_ spec: StreamSpec) -> Bool {
        guard accepting.load(ordering: .acquiring) else { return false }
        let runtime = Runtime(spec: spec, source: factory.makeSource(for: spec), metrics: metrics.stream(spec.id))
        let added = runtimes.withLock { runtimes -> Bool in
            guard runtimes[spec.id] == nil else { return false }
            runtimes[spec.id] = runtime
            return true
        }
        guard added else { return false }
        order.withLock { $0.append(spec.id) }
        // The stream's drop count exists from its start, at zero, rather than from its first drop.
        metrics.hashingDrops(stream: spec.id).increment(by: 0)
        // The source's task holds the supervisor until it ends; stop(id:) and stopAll() end it.
        let task = Task {
            await runtime.source.run { frame in self.received(frame, runtime: runtime) }
            runtime.tally.withLock { $0.finished = true }
            let status = runtime.status()
            if status.state == .failed {
                self.logger.error("stream failed", metadata: ["stream": "\(spec.id)", "reason": "\(status.detail ?? "")"])
            }
        }
        runtime.task.withLock { $0 = task }
        logger.info("stream started", metadata: ["stream": "\(spec.id)", "url": "\(runtime.shownSource)"])
        started(spec)
        return true
    }

    /// Stops a stream and waits for its source to end; false when unknown.
    @discardableResult
    public func stop(id: String) async -> Bool {
        guard let runtime = runtimes.withLock({ $0.removeValue(forKey: id) }) else { return false }
        order.withLock { $0.removeAll { $0 == id } }
        let task = runtime.task.withLock { $0 }
        task?.cancel()
        await task?.value
        pool.removeQueued(stream: id)
        runtime.metrics.destroy()
        logger.info("stream stopped", metadata: ["stream": "\(id)"])
        return true
    }

    /// Stops reading every stream (the drain's first step) and waits for the sources to end.
    /// Frames already queued stay in the pool to be hashed.
    public func stopAll() async {
        accepting.store(false, ordering: .releasing)
        let all = runtimes.withLock { Array($0.values) }
        for runtime in all { runtime.task.withLock { $0 }?.cancel() }
        for runtime in all { await runtime.task.withLock({ $0 })?.value }
    }

    /// The spec of a running stream.
    public func spec(id: String) -> StreamSpec? {
        runtimes.withLock { $0[id]?.spec }
    }

    /// Specs of every stream, in start order.
    public var specs: [StreamSpec] {
        let ids = order.withLock { $0 }
        return runtimes.withLock { runtimes in ids.compactMap { runtimes[$0]?.spec } }
    }

    /// A stream's status, nil when unknown.
    public func status(id: String) -> StreamStatus? {
        runtimes.withLock { $0[id] }?.status()
    }

    /// Every stream's status, in start order.
    public func statuses() -> [StreamStatus] {
        let ids = order.withLock { $0 }
        let all = runtimes.withLock { runtimes in ids.compactMap { runtimes[$0] } }
        return all.map { $0.status() }
    }

    /// What the stream-health watch needs of every stream: when its last frame came in, and its
    /// source's latest fault and counters.
    func healthObservations() -> [(spec: StreamSpec, observation: StreamHealthWatch.Observation)] {
        let all = runtimes.withLock { Array($0.values) }
        return all.map { runtime in
            let source = runtime.source.status
            let lastFrameAt = runtime.tally.withLock { $0.lastFrameAt }
            return (runtime.spec, StreamHealthWatch.Observation(
                lastFrameAt: lastFrameAt, lastFault: source.lastFault, counters: source.counters))
        }
    }

    /// Brings the per-stream metrics up to date with what the sources report; called when
    /// metrics are scraped, so the sources' counters are read once per scrape, not polled.
    public func refreshMetrics() {
        let all = runtimes.withLock { Array($0.values) }
        for runtime in all {
            let source = runtime.source.status
            let status = runtime.status(source)
            let counters = source.counters
            let previous = runtime.tally.withLock { tally -> StreamCounters in
                defer { tally.reported = counters }
                return tally.reported
            }
            if let state = status.state { runtime.metrics.set(state) }
            runtime.metrics.reconnects.increment(by: max(0, counters.reconnects - previous.reconnects))
            runtime.metrics.stalls.increment(by: max(0, counters.stalls - previous.stalls))
            runtime.metrics.decodeErrors.increment(by: max(0, counters.decodeErrors - previous.decodeErrors))
            runtime.metrics.framesDropped.increment(by: max(0, counters.droppedFrames - previous.droppedFrames))
            runtime.metrics.focusSamples.increment(by: max(0, counters.focusSamples - previous.focusSamples))
            if let gap = status.keyframeGapSeconds { runtime.metrics.keyframeGap.set(gap) }
        }
    }

    /// Counts a hashed sample. A frame's cropped copy is the same sample (as `vigil scan` counts).
    func recordHashed(_ sample: StreamSample) {
        guard sample.frame.crop == nil, let runtime = runtimes.withLock({ $0[sample.stream] }) else { return }
        runtime.tally.withLock { $0.framesSampled += 1 }
        runtime.metrics.framesSampled.increment()
    }

    /// Counts a frame of `stream` the pool dropped.
    func recordPoolDrop(stream: String) {
        guard let runtime = runtimes.withLock({ $0[stream] }) else { return }
        runtime.tally.withLock { $0.poolDrops += 1 }
        runtime.metrics.framesDropped.increment()
    }

    private func received(_ frame: Frame, runtime: Runtime) {
        let now = Date()
        runtime.tally.withLock { tally in
            tally.framesIn += 1
            tally.lastFrameAt = now
            if frame.isKeyframe, frame.crop == nil {
                if let last = tally.lastKeyframePTS, frame.ptsSeconds > last { tally.keyframeGap = frame.ptsSeconds - last }
                tally.lastKeyframePTS = frame.ptsSeconds
            }
        }
        runtime.metrics.framesIn.increment()
        // A live frame counts from when its data arrived; a paced file's frames are read ahead
        // of their time, so they count from when they are played.
        let observedAt = runtime.spec.isFile ? now : frame.observedAt
        let submission = pool.submit(HashJob(
            stream: runtime.spec.id, source: runtime.shownSource, frame: frame, observedAt: observedAt, feedback: runtime.source.feedback))
        for stream in submission.dropped {
            recordPoolDrop(stream: stream)
            metrics.hashingDrops(stream: stream).increment()
        }
    }
}
