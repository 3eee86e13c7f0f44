import Dispatch
import Foundation
import Synchronization

/// The state of a ``StreamSession`` shared between its thread and everyone else, and the thread's
/// whole life: connect, read, back off, reconnect, until stopped, ended or failed.
final class SessionCore: Sendable {
    let source: StreamSource
    let options: StreamOptions
    let timeouts: StreamTimeouts
    let channel: FrameChannel
    let counters = CounterStore()
    let focusInbox = FocusInbox()
    /// Cuts a backoff wait short when the session is stopped.
    private let wake = DispatchSemaphore(value: 0)
    private let shared: Mutex<Shared>

    private struct Shared {
        var started = false
        var current: StreamStateChange
        var subscribers: [Int: AsyncStream<StreamStateChange>.Continuation] = [:]
        var nextSubscriber = 0
        var info: MediaInfo?
    }

    init(source: StreamSource, options: StreamOptions) {
        self.source = source
        self.options = options
        timeouts = options.timeouts(for: source)
        channel = FrameChannel(
            url: source.url, capacity: options.frameBufferCapacity,
            overflow: source.isLive ? .dropOldest : options.acknowledgedHandOff ? .acknowledged : .wait
        )
        shared = Mutex(Shared(current: StreamStateChange(state: .connecting, reason: nil, at: Date())))
    }

    // MARK: Outside view

    var currentState: StreamStateChange { shared.withLock { $0.current } }
    var latestInfo: MediaInfo? { shared.withLock { $0.info } }

    var counterSnapshot: StreamCounters {
        var snapshot = counters.snapshot
        snapshot.droppedFrames = channel.droppedFrames
        return snapshot
    }

    func subscribe() -> AsyncStream<StreamStateChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StreamStateChange.self, bufferingPolicy: .bufferingNewest(64))
        let (id, current) = shared.withLock { shared -> (Int?, StreamStateChange) in
            defer { shared.nextSubscriber += 1 }
            guard !shared.current.state.isTerminal else { return (nil, shared.current) }
            shared.subscribers[shared.nextSubscriber] = continuation
            return (shared.nextSubscriber, shared.current)
        }
        continuation.yield(current)
        if let id {
            continuation.onTermination = { [weak self] _ in
                _ = self?.shared.withLock { $0.subscribers.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return stream
    }

    func start() {
        let first = shared.withLock { shared -> Bool in
            defer { shared.started = true }
            return !shared.started
        }
        guard first else { return }
        let background = options.readsInBackground
        let thread = Thread { [self] in
            if background { ThreadPriority.lowerCurrentThread() }
            run()
        }
        thread.name = "vigil.stream"
        thread.start()
    }

    func stop() {
        channel.cancellation.cancel()
        channel.stopProducer()
        wake.signal()
        // A session stopped before it started has no thread to report the end.
        let neverStarted = shared.withLock { shared -> Bool in
            defer { shared.started = true }
            return !shared.started
        }
        if neverStarted {
            finish(.stopped, reason: nil)
        }
    }

    // MARK: The session's thread

    private var isStopped: Bool { channel.cancellation.isCancelled }

    /// Why one connection ended, when it did not throw.
    private enum ConnectionEnd {
        /// The source reached its end.
        case endOfInput(receivedPackets: Bool, info: MediaInfo)
        /// The consumer went away.
        case consumerGone
    }

    private func run() {
        let context = SamplingContext(policy: options.policy, counters: counters, isLive: source.isLive, focusInbox: focusInbox)
        let startedAt = MonotonicClock.seconds()
        let end = options.maxDuration.map { startedAt + max(0, $0) }
        var failures = 0
        var attempts = 0

        while true {
            if isStopped { return finish(.stopped, reason: nil) }
            if end.map({ MonotonicClock.seconds() >= $0 }) == true {
                return finish(.ended, reason: nil)
            }
            if attempts > 0 { counters.update { $0.reconnects += 1 } }
            attempts += 1
            transition(to: .connecting, reason: nil)
            context.timeline.reconnected()

            var receivedPackets = false
            var failure: MediaError?
            let refusalsBefore = counters.snapshot.refusedOpens
            do {
                switch try connectAndRead(context: context, end: end, receivedPackets: &receivedPackets) {
                case .consumerGone:
                    return finish(.stopped, reason: nil)
                case .endOfInput(let received, let info):
                    receivedPackets = received
                    guard shouldReconnect(afterEndOf: info) else { return finish(.ended, reason: nil) }
                    failure = received ? nil : refusal(since: refusalsBefore)
                }
            } catch {
                if isStopped { return finish(.stopped, reason: nil) }
                if end.map({ MonotonicClock.seconds() >= $0 }) == true {
                    return finish(.ended, reason: nil)
                }
                if case .stalled = error {
                    counters.update { $0.stalls += 1 }
                    transition(to: .stalled, reason: error)
                }
                guard source.isLive, error.isTransient else {
                    return finish(.failed, reason: error)
                }
                // Nothing read, and something the input named was refused: that is the reason.
                failure = receivedPackets ? error : refusal(since: refusalsBefore) ?? error
            }

            failures = receivedPackets ? 1 : failures + 1
            if let limit = options.reconnect.maxAttempts, failures > limit {
                return finish(.failed, reason: failure ?? .readFailed(url: source.url, reason: "the source keeps ending"))
            }
            var delay = options.reconnect.delay(afterFailures: failures, unit: Double.random(in: 0..<1))
            if let end { delay = min(delay, max(0, end - MonotonicClock.seconds())) }
            transition(to: .backoff, reason: failure)
            _ = wake.wait(timeout: .now() + delay)
        }
    }

    /// One connection: open, then hand frames over until the source ends or fails. The reader, and
    /// with it every FFmpeg resource of the connection, is released on return.
    private func connectAndRead(context: SamplingContext, end: Double?, receivedPackets: inout Bool) throws(MediaError) -> ConnectionEnd {
        let reader = try MediaReader(
            source: source, options: options, timeouts: timeouts, context: context,
            cancellation: channel.cancellation, sessionEnd: end
        )
        shared.withLock { $0.info = reader.info }
        transition(to: .live, reason: nil)
        defer {
            receivedPackets = reader.receivedPackets
            counters.update { $0.discontinuities = context.timeline.discontinuities }
        }
        while let frame = try reader.nextFrame() {
            guard channel.send(frame) else { return .consumerGone }
        }
        return .endOfInput(receivedPackets: reader.receivedPackets, info: reader.info)
    }

    /// The refusal of the last URL the protocol whitelist refused, if it refused any since
    /// `count` refusals.
    private func refusal(since count: Int) -> MediaError? {
        let counters = counters.snapshot
        guard counters.refusedOpens > count, let refused = counters.refusedURLs.last else { return nil }
        return .refusedInput(url: source.url, refused: refused)
    }

    private func shouldReconnect(afterEndOf info: MediaInfo) -> Bool {
        guard source.isLive else { return false }
        if let forced = options.reconnect.reconnectAtEnd { return forced }
        switch source.kind {
        case .http, .https: return info.durationSeconds == nil
        default: return true
        }
    }

    private func transition(to state: StreamState, reason: MediaError?) {
        let change = StreamStateChange(state: state, reason: reason, at: Date())
        let subscribers = shared.withLock { shared -> [AsyncStream<StreamStateChange>.Continuation] in
            guard !shared.current.state.isTerminal else { return [] }
            shared.current = change
            return Array(shared.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(change) }
    }

    /// Enters a terminal state, ends the frame sequence, and closes every state subscription.
    private func finish(_ state: StreamState, reason: MediaError?) {
        transition(to: state, reason: reason)
        channel.finish(state == .failed ? .failure(reason ?? .cancelled(url: source.url)) : .success(()))
        let subscribers = shared.withLock { shared -> [AsyncStream<StreamStateChange>.Continuation] in
            defer { shared.subscribers.removeAll() }
            return Array(shared.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
