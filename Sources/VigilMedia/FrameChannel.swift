import Dispatch
import Synchronization

/// The bounded hand-off between a reader thread (producer) and asynchronous consumers.
///
/// The producer is a real thread and may block; consumers are tasks and never block a thread,
/// they suspend on continuations instead.
final class FrameChannel: Sendable {
    typealias FrameWaiter = CheckedContinuation<Result<Frame?, MediaError>, Never>

    /// What the reader does when the consumer falls `capacity` frames behind.
    enum Overflow: Sendable, Equatable {
        /// The reader blocks until the consumer catches up: nothing is lost (files).
        case wait
        /// The oldest buffered frame is discarded for the new one, and counted (live sources,
        /// where the freshest picture wins).
        case dropOldest
    }

    let url: String
    let capacity: Int
    let overflow: Overflow
    /// Raised on cancellation; the reader polls it, including from inside FFmpeg's blocking I/O.
    let cancellation = CancellationFlag()

    private let state: Mutex<State>
    /// Wakes a producer blocked on a full buffer in `.wait` mode.
    private let spaceAvailable = DispatchSemaphore(value: 0)

    private struct State {
        var buffer: [Frame] = []
        /// How the reader ended: `.success` for end of input; `nil` while it still runs.
        var end: Result<Void, MediaError>?
        /// Consumers suspended on an empty buffer, served first come, first served.
        var frameWaiters: [FrameWaiter] = []
        var cancelled = false
        /// The producer must stop, but what it already handed over is still delivered.
        var producerStopped = false
        var producerWaiting = false
        var dropped = 0

        /// Takes the flag that says the producer is blocked, so exactly one wake-up is sent.
        mutating func takeProducerWaiting() -> Bool {
            defer { producerWaiting = false }
            return producerWaiting
        }
    }

    init(url: String, capacity: Int, overflow: Overflow) {
        self.url = url
        self.capacity = max(1, capacity)
        self.overflow = overflow
        state = Mutex(State())
    }

    // MARK: Lifecycle

    var droppedFrames: Int { state.withLock { $0.dropped } }

    /// Stops everything: interrupts the reader, unblocks it, and wakes every waiter with `.cancelled`.
    func cancel() {
        cancellation.cancel()
        let cancelled = MediaError.cancelled(url: url)
        let (frameWaiters, wakeProducer) = state.withLock { state -> ([FrameWaiter], Bool) in
            guard !state.cancelled else { return ([], false) }
            state.cancelled = true
            state.buffer.removeAll()
            defer { state.frameWaiters.removeAll() }
            return (state.frameWaiters, state.takeProducerWaiting())
        }
        for waiter in frameWaiters { waiter.resume(returning: .failure(cancelled)) }
        if wakeProducer { spaceAvailable.signal() }
    }

    /// Makes the producer's current and future ``send(_:)`` calls return `false` without discarding
    /// buffered frames, so a stopped producer can still end the sequence normally.
    func stopProducer() {
        let wake = state.withLock { state -> Bool in
            state.producerStopped = true
            return state.takeProducerWaiting()
        }
        if wake { spaceAvailable.signal() }
    }

    // MARK: Producer side (reader thread)

    /// Hands a frame over, blocking while the buffer is full in `.wait` mode.
    /// Returns `false` once the channel is cancelled, telling the reader to stop.
    func send(_ frame: Frame) -> Bool {
        enum Step {
            case handedTo(FrameWaiter)
            case buffered
            case stop
            case wait
        }
        while true {
            let step = state.withLock { state -> Step in
                if state.cancelled || state.producerStopped { return .stop }
                if !state.frameWaiters.isEmpty {
                    return .handedTo(state.frameWaiters.removeFirst())
                }
                if state.buffer.count < capacity {
                    state.buffer.append(frame)
                } else if overflow == .dropOldest {
                    // Live input: the freshest picture matters more than a stale one.
                    state.buffer.removeFirst()
                    state.buffer.append(frame)
                    state.dropped += 1
                } else {
                    state.producerWaiting = true
                    return .wait
                }
                return .buffered
            }
            switch step {
            case .handedTo(let waiter):
                waiter.resume(returning: .success(frame))
                return true
            case .buffered:
                return true
            case .stop:
                return false
            case .wait:
                spaceAvailable.wait()
            }
        }
    }

    /// Records how the reader ended. Frames still buffered are delivered before the outcome.
    func finish(_ outcome: Result<Void, MediaError>) {
        let frameWaiters = state.withLock { state -> [FrameWaiter] in
            guard state.end == nil, !state.cancelled else { return [] }
            state.end = outcome
            // Waiting consumers imply an empty buffer, so the outcome is what they get next.
            let frameWaiters = state.frameWaiters
            state.frameWaiters.removeAll()
            if !frameWaiters.isEmpty { state.end = .success(()) }
            return frameWaiters
        }
        for (position, waiter) in frameWaiters.enumerated() {
            // The first consumer hears about a failure; the sequence is simply over for the rest.
            switch outcome {
            case .failure(let error) where position == 0: waiter.resume(returning: .failure(error))
            default: waiter.resume(returning: .success(nil))
            }
        }
    }

    // MARK: Consumer side (tasks)

    /// The next frame, `nil` at the end, or the reader's error (once; `nil` after it).
    func next() async -> Result<Frame?, MediaError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: FrameWaiter) in
                let (immediate, wakeProducer) = state.withLock { state -> (Result<Frame?, MediaError>?, Bool) in
                    if state.cancelled { return (.failure(.cancelled(url: url)), false) }
                    if !state.buffer.isEmpty {
                        let frame = state.buffer.removeFirst()
                        return (.success(frame), state.takeProducerWaiting())
                    }
                    switch state.end {
                    case .success?:
                        return (.success(nil), false)
                    case .failure(let error)?:
                        // Report the failure once; later calls see a finished sequence.
                        state.end = .success(())
                        return (.failure(error), false)
                    case nil:
                        state.frameWaiters.append(continuation)
                        return (nil, false)
                    }
                }
                if wakeProducer { spaceAvailable.signal() }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            cancel()
        }
    }
}
