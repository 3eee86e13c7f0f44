import Dispatch
import Synchronization

/// The bounded hand-off between a session's thread (producer) and the task consuming its frames.
///
/// An `AsyncThrowingStream` carries the frames, bounded in one of three ways: a live source's
/// buffer keeps the newest `capacity` frames and counts the others as dropped; a file's reader
/// must hold one of `capacity` credits for every frame in the buffer, so it blocks (it is a
/// thread of its own, never a task) until the consumer takes one, and nothing is lost; or, for a
/// file whose consumer steers sampling, the reader hands out one frame and waits until the
/// consumer acknowledges it, so what the consumer asks in between applies from the next picture.
final class FrameChannel: Sendable {
    /// What the reader does when the consumer falls `capacity` frames behind.
    enum Overflow: Sendable, Equatable {
        /// The reader blocks until the consumer catches up: nothing is lost (files).
        case wait
        /// The oldest buffered frame is discarded for the new one, and counted (live sources,
        /// where the freshest picture wins).
        case dropOldest
        /// The reader waits, after each frame, for ``FrameChannel/acknowledge()``: one frame in
        /// flight, and the consumer's focus requests are seen before the next picture (files).
        case acknowledged
    }

    typealias Frames = AsyncThrowingStream<Frame, any Error>

    let url: String
    let overflow: Overflow
    /// Raised when the consumer is cancelled; the reader polls it, also inside FFmpeg's blocking I/O.
    let cancellation = CancellationFlag()
    let frames: Frames
    private let continuation: Frames.Continuation
    /// Room left in the buffer, in `.wait` mode: the producer takes one per frame, the consumer
    /// gives one back per frame taken. In `.acknowledged` mode, one per acknowledgement.
    private let credits: DispatchSemaphore
    private let state = Mutex(State())

    private struct State {
        var dropped = 0
        var producerStopped = false
    }

    init(url: String, capacity: Int, overflow: Overflow) {
        self.url = url
        self.overflow = overflow
        let capacity = max(1, capacity)
        (frames, continuation) = Frames.makeStream(
            bufferingPolicy: overflow == .dropOldest ? .bufferingNewest(capacity) : .unbounded
        )
        // Created empty and filled by signals: libdispatch traps when a semaphore is freed holding
        // less than the value it was created with, which a channel dropped with frames still
        // buffered (credits taken, never given back) would be.
        credits = DispatchSemaphore(value: 0)
        if overflow != .acknowledged {
            for _ in 0..<capacity { credits.signal() }
        }
        continuation.onTermination = { [weak self] termination in
            // The consuming task was cancelled while waiting for a frame.
            if case .cancelled = termination { self?.cancelReader() }
        }
    }

    /// Frames discarded for newer ones (`.dropOldest` only).
    var droppedFrames: Int { state.withLock { $0.dropped } }

    /// Makes the producer's current and future ``send(_:)`` calls return `false` without discarding
    /// buffered frames, so a stopped producer can still end the sequence normally.
    func stopProducer() {
        state.withLock { $0.producerStopped = true }
        credits.signal()
    }

    /// Stops the reader, even one waiting for room, because its consumer is gone.
    private func cancelReader() {
        cancellation.cancel()
        credits.signal()
    }

    // MARK: Producer side (the session's thread)

    /// Hands a frame over, blocking while the buffer is full in `.wait` mode, and until the frame
    /// is acknowledged in `.acknowledged` mode. Returns `false` once the producer was stopped or
    /// the consumer cancelled, telling the reader to stop.
    func send(_ frame: Frame) -> Bool {
        if overflow == .wait { credits.wait() }
        if cancellation.isCancelled || state.withLock({ $0.producerStopped }) { return false }
        switch continuation.yield(frame) {
        case .enqueued:
            guard overflow == .acknowledged else { return true }
            credits.wait()
            return !cancellation.isCancelled && !state.withLock({ $0.producerStopped })
        case .dropped:
            state.withLock { $0.dropped += 1 }
            return true
        case .terminated:
            return false
        @unknown default:
            return false
        }
    }

    /// Records how the reader ended. Frames still buffered are delivered before the outcome.
    func finish(_ outcome: Result<Void, MediaError>) {
        switch outcome {
        case .success: continuation.finish()
        case .failure(let error): continuation.finish(throwing: error)
        }
    }

    // MARK: Consumer side (a task)

    /// Lets an `.acknowledged` reader go on: the consumer is done with the frame it took last.
    /// Does nothing in the other modes.
    func acknowledge() {
        if overflow == .acknowledged { credits.signal() }
    }

    /// The next frame from `iterator`, `nil` at the end, or the reader's error (once; `nil` after
    /// it). A consumer whose task is cancelled gets ``MediaError/cancelled(url:)``.
    func next(from iterator: inout Frames.AsyncIterator) async throws(MediaError) -> Frame? {
        // The stream would still hand a cancelled task what it buffered; a cancelled consumer stops.
        if Task.isCancelled {
            cancelReader()
            throw .cancelled(url: url)
        }
        let frame: Frame?
        do {
            frame = try await iterator.next()
        } catch let error as MediaError {
            throw error
        } catch {
            throw .cancelled(url: url)
        }
        guard let frame else {
            if Task.isCancelled { throw .cancelled(url: url) }
            return nil
        }
        if overflow == .wait { credits.signal() }
        return frame
    }
}
