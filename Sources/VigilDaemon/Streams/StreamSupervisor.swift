import Foundation
import Logging
import Synchronization
import VigilMedia

/// Runs one session per stream and feeds their frames to the shared hashing pool.
///
/// Streams can be started and stopped at any time (config reload, API). Each runs in a task of its
/// own; a session that fails is the session's business (it reconnects), so one bad stream never
/// affects another.
public final class StreamSupervisor: Sendable {
    private final class Runtime: Sendable {
        let spec: StreamSpec
        let metrics: StreamMetrics
        let status: Mutex<StreamStatus>
        let lastKeyframePTS = Mutex<Double?>(nil)
        let task = Mutex<Task<Void, Never>?>(nil)

        init(spec: StreamSpec, metrics: StreamMetrics) {
            self.spec = spec
            self.metrics = metrics
            status = Mutex(StreamStatus(spec: spec, now: Date()))
        }
    }

    private let factory: any FrameSourceFactory
    private let pool: HashingPool
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let runtimes = Mutex<[String: Runtime]>([:])
    private let order = Mutex<[String]>([])
    private let accepting = Atomic<Bool>(true)

    /// Creates a supervisor that makes sessions with `factory` and hashes on `pool`.
    public init(factory: any FrameSourceFactory, pool: HashingPool, metrics: DaemonMetrics, logger: Logger) {
        self.factory = factory
        self.pool = pool
        self.metrics = metrics
        self.logger = logger
    }

    /// Starts watching a stream; false when a stream with its id is already running or the
    /// supervisor is stopping.
    @discardableResult
    public func start(_ spec: StreamSpec) -> Bool {
        guard accepting.load(ordering: .acquiring) else { return false }
        let runtime = Runtime(spec: spec, metrics: metrics.stream(spec.id))
        let added = runtimes.withLock { runtimes -> Bool in
            guard runtimes[spec.id] == nil else { return false }
            runtimes[spec.id] = runtime
            return true
        }
        guard added else { return false }
        order.withLock { $0.append(spec.id) }
        runtime.metrics.set(.connecting)
        let source = factory.makeSource(for: spec)
        // The session's task holds the supervisor until it ends; stop(id:) and stopAll() end it.
        let task = Task {
            await source.run { event in self.handle(event, runtime: runtime) }
            runtime.status.withLock { status in
                if status.state != .ended && status.state != .failed {
                    status.state = .stopped
                    status.stateSince = Date()
                }
            }
            runtime.metrics.set(runtime.status.withLock { $0.state })
        }
        runtime.task.withLock { $0 = task }
        logger.info("stream started", metadata: ["stream": "\(spec.id)", "url": "\(Self.redacted(spec.url))"])
        return true
    }

    /// Stops a stream and waits for its session to end; false when unknown.
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

    /// Stops reading every stream (the drain's first step) and waits for the sessions to end.
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
        runtimes.withLock { $0[id] }?.status.withLock { $0 }
    }

    /// Every stream's status, in start order.
    public func statuses() -> [StreamStatus] {
        let ids = order.withLock { $0 }
        let all = runtimes.withLock { runtimes in ids.compactMap { runtimes[$0] } }
        return all.map { $0.status.withLock { $0 } }
    }

    /// Counts a hashed sample. A frame's cropped copy is the same sample (as `vigil scan` counts).
    func recordHashed(_ sample: StreamSample) {
        guard sample.frame.crop == nil, let runtime = runtimes.withLock({ $0[sample.stream] }) else { return }
        runtime.status.withLock { $0.framesSampled += 1 }
        runtime.metrics.framesSampled.increment()
    }

    /// Counts a frame of `stream` the pool dropped.
    func recordPoolDrop(stream: String) {
        guard let runtime = runtimes.withLock({ $0[stream] }) else { return }
        runtime.status.withLock { $0.framesDropped += 1 }
        runtime.metrics.framesDropped.increment()
    }

    private func handle(_ event: FrameSourceEvent, runtime: Runtime) {
        let id = runtime.spec.id
        switch event {
        case .frame(let frame):
            let now = Date()
            runtime.status.withLock { status in
                status.framesIn += 1
                status.lastFrameAt = now
            }
            runtime.metrics.framesIn.increment()
            if frame.isKeyframe {
                let gap = runtime.lastKeyframePTS.withLock { last -> Double? in
                    defer { last = frame.ptsSeconds }
                    return last.map { frame.ptsSeconds - $0 }
                }
                if let gap, gap > 0 {
                    runtime.status.withLock { $0.keyframeGapSeconds = gap }
                    runtime.metrics.keyframeGap.set(gap)
                }
            }
            // A live frame counts from when its data arrived; a paced file's frames are read ahead
            // of their time, so they count from when they are played.
            let observedAt = runtime.spec.isFile ? now : frame.observedAt
            let submission = pool.submit(HashJob(stream: id, source: runtime.spec.url, frame: frame, observedAt: observedAt))
            for stream in submission.dropped {
                recordPoolDrop(stream: stream)
                metrics.hashingDrops(stream: stream).increment()
            }
        case .state(let state, let detail):
            runtime.status.withLock { status in
                status.state = state
                status.stateSince = Date()
                if detail != nil || state == .live { status.detail = detail }
            }
            if state == .connecting { runtime.lastKeyframePTS.withLock { $0 = nil } }
            runtime.metrics.set(state)
            if state == .backoff || state == .stalled {
                logger.warning("stream interrupted", metadata: ["stream": "\(id)", "state": "\(state.rawValue)", "reason": "\(detail ?? "")"])
            } else {
                logger.debug("stream state", metadata: ["stream": "\(id)", "state": "\(state.rawValue)"])
            }
        case .reconnect:
            runtime.status.withLock { $0.reconnects += 1 }
            runtime.metrics.reconnects.increment()
        case .stall:
            runtime.status.withLock { $0.stalls += 1 }
            runtime.metrics.stalls.increment()
        case .decodeErrors(let count):
            runtime.status.withLock { $0.decodeErrors += count }
            runtime.metrics.decodeErrors.increment(by: count)
        case .droppedFrames(let count):
            runtime.status.withLock { $0.framesDropped += count }
            runtime.metrics.framesDropped.increment(by: count)
        }
    }

    /// The URL without credentials, for logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil || components.user != nil else { return url }
        components.user = components.user.map { _ in "***" }
        components.password = nil
        return components.string ?? url
    }
}
