import Foundation
import NIOPosix
import Synchronization
import VigilDetect
import VigilHash
import VigilMedia

/// The one hashing pool all streams share: `width` workers (one per core by default), each with
/// its own `PDQHasher`, fed from bounded per-stream queues.
///
/// Live rules: when a stream already has ``perStreamCapacity`` frames waiting, its oldest is dropped
/// for the new one (the freshest picture matters most), and when ``maxQueued`` frames wait in all,
/// the oldest frame of the longest queue is dropped. Workers take streams in turn (round robin), so
/// a busy stream cannot starve a quiet one. A stream has at most one frame being hashed at a time,
/// so its samples reach the handler in order (the video rule judges runs of consecutive samples).
/// Memory is bounded by `maxQueued` frames whatever the number of streams.
///
/// Work that can wait (on-demand scans, through ``background``) runs on the same workers, but only
/// when no live frame is waiting, and never on the last free worker (with two or more), so a
/// live frame waits at most for one hash to finish.
public final class HashingPool: Sendable {
    /// Frames hashed at once.
    public let width: Int
    /// Frames one stream may have waiting.
    public let perStreamCapacity: Int
    /// Frames waiting across all streams.
    public let maxQueued: Int

    private struct State {
        var queues: [String: [HashJob]] = [:]
        /// Streams with waiting frames and none being hashed, in the order they are served.
        var turn: [String] = []
        /// Streams with a frame being hashed: they rejoin `turn` when it is done.
        var busy: Set<String> = []
        /// Background work, oldest first: taken only when no live frame waits.
        var background: [BackgroundWork] = []
        var queued = 0
        var inFlight = 0
        var finished = false

        /// The next stream in turn's oldest waiting frame, if a worker is free (the stream is busy
        /// until ``HashingPool/done(stream:)``); else background work, if a worker is free
        /// besides the one kept for live frames.
        mutating func takeNext(width: Int) -> Next? {
            guard inFlight < width else { return nil }
            while !turn.isEmpty {
                let stream = turn.removeFirst()
                guard var queue = queues[stream], !queue.isEmpty else { continue }
                let job = queue.removeFirst()
                queues[stream] = queue.isEmpty ? nil : queue
                queued -= 1
                inFlight += 1
                busy.insert(stream)
                return .frame(job)
            }
            guard !background.isEmpty, width == 1 || inFlight < width - 1 else { return nil }
            inFlight += 1
            return .background(background.removeFirst())
        }

        /// Whether ``HashingPool/finish()`` was called and every frame is handled.
        var isDrained: Bool { finished && queued == 0 && inFlight == 0 && background.isEmpty }
    }

    /// What a free worker does next.
    enum Next {
        case frame(HashJob)
        case background(BackgroundWork)
    }

    /// Background work waiting for a worker: exactly one of its two closures is called.
    struct BackgroundWork: Sendable {
        /// Does the work (on a worker thread) and hands back its result.
        var run: @Sendable () -> Void
        /// Tells the waiter the pool stopped before running it.
        var refuse: @Sendable () -> Void
    }
    private let state = Mutex(State())
    /// Tells the dispatcher in ``run(work:handler:)`` that a frame arrived, a worker is free, or
    /// the pool finished. One pending wake-up is enough: the dispatcher starts all it can each time.
    private let wakeUps = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    private let onDepth: @Sendable (Int) -> Void

    /// What became of a submitted frame.
    public struct Submission: Sendable, Equatable {
        /// False when the pool has finished: the frame was not taken.
        public var accepted: Bool
        /// Streams whose oldest waiting frame was dropped to make room (the submitting stream's
        /// own, or the longest queue's when the pool is full).
        public var dropped: [String]
    }

    /// Creates a pool.
    ///
    /// - Parameter onDepth: told the number of waiting frames after each change (for metrics).
    public init(
        width: Int, perStreamCapacity: Int = 2, maxQueued: Int = 64, onDepth: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.width = max(1, width)
        self.perStreamCapacity = max(1, perStreamCapacity)
        self.maxQueued = max(1, maxQueued)
        self.onDepth = onDepth
    }

    /// Frames waiting now.
    public var depth: Int { state.withLock { $0.queued } }

    /// Queues a frame; never blocks.
    @discardableResult
    public func submit(_ job: HashJob) -> Submission {
        var dropped: [HashJob] = []
        let (accepted, depth) = state.withLock { state -> (Bool, Int) in
            guard !state.finished else { return (false, state.queued) }
            var queue = state.queues[job.stream] ?? []
            if queue.isEmpty, !state.busy.contains(job.stream) { state.turn.append(job.stream) }
            if queue.count >= perStreamCapacity {
                dropped.append(queue.removeFirst())
                state.queued -= 1
            }
            queue.append(job)
            state.queued += 1
            state.queues[job.stream] = queue
            if state.queued > maxQueued, let longest = state.queues.max(by: { $0.value.count < $1.value.count })?.key,
               let oldest = state.queues[longest]?.removeFirst() {
                state.queued -= 1
                dropped.append(oldest)
                if state.queues[longest]?.isEmpty == true {
                    state.queues[longest] = nil
                    state.turn.removeAll { $0 == longest }
                }
            }
            return (true, state.queued)
        }
        if accepted { wakeUps.continuation.yield() } else { job.feedback?.acknowledge() }
        // A dropped frame is done with as far as its source is concerned.
        for job in dropped { job.feedback?.acknowledge() }
        onDepth(depth)
        return Submission(accepted: accepted, dropped: dropped.map(\.stream))
    }

    /// Drops the waiting frames of a stream that was removed.
    public func removeQueued(stream: String) {
        let (removed, depth) = state.withLock { state -> ([HashJob], Int) in
            let queue = state.queues.removeValue(forKey: stream) ?? []
            state.queued -= queue.count
            state.turn.removeAll { $0 == stream }
            return (queue, state.queued)
        }
        for job in removed { job.feedback?.acknowledge() }
        onDepth(depth)
    }

    /// Stops accepting frames and background work; ``run(work:handler:)`` returns once the
    /// waiting frames are hashed. Background work not started is refused.
    public func finish() {
        state.withLock { $0.finished = true }
        refuseWaitingBackground()
        wakeUps.continuation.yield()
    }

    /// Refuses the background work no worker started, so that its waiters never hang.
    private func refuseWaitingBackground() {
        let refused = state.withLock { state -> [BackgroundWork] in
            defer { state.background = [] }
            return state.background
        }
        for work in refused { work.refuse() }
    }

    /// The pool's workers for work that yields to live frames (on-demand scans).
    public var background: some HashingThreads { BackgroundHashing(pool: self) }

    /// Queues background work; false when the pool has finished.
    fileprivate func enqueue(_ work: BackgroundWork) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.finished else { return false }
            state.background.append(work)
            return true
        }
        if accepted { wakeUps.continuation.yield() }
        return accepted
    }

    /// Runs the workers until ``finish()`` was called and every waiting frame is handled, or the
    /// task is cancelled. Each frame is hashed, and `work` run on it (bank matching), on a thread
    /// of the pool's own, never on Swift's cooperative pool, where the API, the alert pipeline and
    /// delivery run; then `handler` gets the sample and what `work` made of it. Call it once.
    public func run<Work: Sendable>(
        work: @escaping @Sendable (StreamSample) -> Work,
        handler: @escaping @Sendable (StreamSample, Work) async -> Void
    ) async {
        let threads = NIOThreadPool(numberOfThreads: width)
        threads.start()
        // Hashers keep working buffers and are not thread-safe: each hash borrows one.
        let hashers = HasherPool(lumaPrecision: .single)
        var wakeUps = self.wakeUps.stream.makeAsyncIterator()
        await withDiscardingTaskGroup { group in
            while true {
                // Start a frame for every free worker, streams in turn.
                while let (next, depth) = state.withLock({ state in state.takeNext(width: width).map { ($0, state.queued) } }) {
                    onDepth(depth)
                    let job: HashJob
                    switch next {
                    case .frame(let frame):
                        job = frame
                    case .background(let work):
                        group.addTask {
                            if (try? await threads.runIfActive(work.run)) == nil { work.refuse() }
                            self.done(stream: nil)
                        }
                        continue
                    }
                    group.addTask {
                        let done = try? await threads.runIfActive { () -> (StreamSample, Work) in
                            let sample = StreamSample(
                                stream: job.stream, source: job.source, observedAt: job.observedAt,
                                frame: HashedFrame(job.frame, pool: hashers), feedback: job.feedback)
                            return (sample, work(sample))
                        }
                        if let (sample, result) = done { await handler(sample, result) }
                        job.feedback?.acknowledge()
                        self.done(stream: job.stream)
                    }
                }
                if state.withLock({ $0.isDrained }) { break }
                // Ends (nil) when the task is cancelled: frames being hashed finish, the rest wait.
                guard await wakeUps.next() != nil else { break }
            }
        }
        // Cancelled with background work waiting.
        refuseWaitingBackground()
        try? await threads.shutdownGracefully()
    }

    /// ``run(work:handler:)`` with nothing but hashing done off the cooperative pool.
    public func run(_ handler: @escaping @Sendable (StreamSample) async -> Void) async {
        await run(work: { _ in () }, handler: { sample, _ in await handler(sample) })
    }

    /// A frame of `stream` (nil: background work) is hashed and handled: the stream's next frame
    /// may go.
    private func done(stream: String?) {
        state.withLock { state in
            state.inFlight -= 1
            guard let stream else { return }
            state.busy.remove(stream)
            if state.queues[stream]?.isEmpty == false { state.turn.append(stream) }
        }
        wakeUps.continuation.yield()
    }
}

/// ``HashingPool/background``: work run on the pool's workers when no live frame waits.
private struct BackgroundHashing: HashingThreads {
    let pool: HashingPool

    func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let queued = pool.enqueue(HashingPool.BackgroundWork(
                run: { continuation.resume(returning: work()) },
                refuse: { continuation.resume(throwing: HashingPoolStopped()) }))
            if !queued { continuation.resume(throwing: HashingPoolStopped()) }
        }
    }
}

/// The hashing pool stopped (the daemon is shutting down) before it ran the work.
public struct HashingPoolStopped: Error, CustomStringConvertible {
    public var description: String { "the hashing pool stopped (the daemon is shutting down)" }
}
