import Foundation

/// Reads a live source (or a file) for as long as it is wanted, surviving what live sources do:
/// stalls, drops, restarts, garbage, resolution changes, missing key frames.
///
/// The session owns one dedicated thread for all blocking FFmpeg work. It connects, samples
/// pictures by the ``SamplingPolicy``, and hands them out through ``frames``, a bounded
/// `AsyncSequence`. When the consumer falls behind on a live source, the freshest frames win and
/// the others are counted in ``StreamCounters/droppedFrames``; a file makes the reader wait instead.
///
/// When a live source fails with a transient error (``MediaError/isTransient``) or ends, the
/// session backs off (exponentially, with jitter, bounded by ``ReconnectPolicy``) and reconnects.
/// The stall watchdog treats a source that sends no video packet for
/// ``StreamTimeouts/stall`` seconds as lost. Errors that reconnecting cannot fix (unsupported
/// source, limits exceeded) fail the session and end ``frames`` with that error.
///
/// Timestamps: ``Frame/ptsSeconds`` is the session's own timeline, starting at 0 and never going
/// backwards. It advances with the source's timestamps; after a reconnect or a discontinuity
/// (timestamps that jump back by more than 0.5 s, or ahead of the wall clock by more than 10 s)
/// it continues from the previous frame plus the wall-clock time elapsed in between.
/// ``Frame/observedAt`` is the wall-clock time the picture's data arrived.
///
/// ```swift
/// let session = try StreamSession(url: "rtmp://127.0.0.1/live/cam", options: .init(maxDuration: 60))
/// session.start()
/// for try await frame in session.frames { hash(frame) }
/// print(session.counters)
/// ```
///
/// Keep the session alive while reading: releasing it stops it.
public final class StreamSession: Sendable {
    /// The parsed input.
    public let source: StreamSource
    /// The options it runs with.
    public let options: StreamOptions
    private let core: SessionCore

    /// Prepares a session for `url`; nothing is opened until ``start()`` or iteration of ``frames``.
    ///
    /// - Throws: ``MediaError/unsupportedSource(url:reason:)`` for an unknown scheme.
    public convenience init(url: String, options: StreamOptions = StreamOptions()) throws(MediaError) {
        self.init(source: try StreamSource(url), options: options)
    }

    /// Prepares a session for an already parsed source.
    public init(source: StreamSource, options: StreamOptions = StreamOptions()) {
        self.source = source
        self.options = options
        core = SessionCore(source: source, options: options)
    }

    deinit {
        core.stop()
    }

    /// Starts the session's thread. Later calls do nothing.
    public func start() {
        core.start()
    }

    /// Stops the session: blocking calls are interrupted at once, ``frames`` delivers what it
    /// holds and then ends, and the state becomes ``StreamState/ended``. Safe from any thread.
    public func stop() {
        core.stop()
    }

    /// The current state.
    public var state: StreamState { core.currentState.state }

    /// The latest transition: the state, since when, and why.
    public var latestChange: StreamStateChange { core.currentState }

    /// A stream of state changes, starting with the current state and finishing after the
    /// terminal one. Each call returns an independent stream that keeps the latest 64 changes if
    /// its reader falls behind.
    public func stateChanges() -> AsyncStream<StreamStateChange> {
        core.subscribe()
    }

    /// Waits until the session has ended or failed, and returns that final transition.
    public func finished() async -> StreamStateChange {
        for await change in stateChanges() where change.state.isTerminal {
            return change
        }
        return core.currentState
    }

    /// A snapshot of the counters.
    public var counters: StreamCounters { core.counterSnapshot }

    /// Asks the reader to also sample the pictures at `request`'s times (the first picture within
    /// half a frame of each), decoding every picture while any is still to come. Times not after
    /// the latest sample when the reader sees the request are ignored; at most 32 wait at once.
    /// Focus samples are never dropped as near-duplicates. Safe from any thread.
    public func focus(_ request: FocusRequest) {
        core.focusInbox.post(request)
    }

    /// With ``StreamOptions/acknowledgedHandOff`` on a file: the consumer is done with the frame it
    /// took last, and the reader may go on. Call it once per frame taken. Does nothing otherwise.
    public func acknowledge() {
        core.channel.acknowledge()
    }

    /// What the latest connection learned about the source; `nil` before the first one opened.
    public var info: MediaInfo? { core.latestInfo }

    /// What the first connection learned about the source, once it has opened (starting the
    /// session if needed).
    ///
    /// - Throws: the error that ended the session before anything opened, or
    ///   ``MediaError/cancelled(url:)`` if the calling task is cancelled first.
    public func opened() async throws(MediaError) -> MediaInfo {
        core.start()
        // The description is published before the session turns live, and kept after it ends.
        for await change in stateChanges() {
            if let info = core.latestInfo { return info }
            if change.state.isTerminal { throw change.reason ?? .cancelled(url: source.url) }
        }
        if let info = core.latestInfo { return info }
        throw .cancelled(url: source.url)
    }

    /// The sampled frames. Iterating starts the session if needed. The sequence ends when the
    /// session ends and throws the error that made it fail. Single-pass, with one consumer at a
    /// time: each frame goes to one iterator. Cancelling the consuming task stops the session.
    public var frames: Frames { Frames(core: core) }

    /// The frames of a ``StreamSession``.
    public struct Frames: AsyncSequence, Sendable {
        /// One sampled picture (or a cropped copy of one, see ``Frame/crop``).
        public typealias Element = Frame
        /// Iteration throws only ``MediaError``.
        public typealias Failure = MediaError

        fileprivate let core: SessionCore

        /// Starts the session if needed and returns an iterator over its frames.
        public func makeAsyncIterator() -> Iterator {
            core.start()
            return Iterator(channel: core.channel, base: core.channel.frames.makeAsyncIterator())
        }

        /// Pulls frames from the session's thread.
        public struct Iterator: AsyncIteratorProtocol {
            /// One sampled picture.
            public typealias Element = Frame
            /// Iteration throws only ``MediaError``.
            public typealias Failure = MediaError

            fileprivate let channel: FrameChannel
            fileprivate var base: FrameChannel.Frames.AsyncIterator

            /// The next frame; `nil` once the session has ended.
            public mutating func next() async throws(MediaError) -> Frame? {
                try await channel.next(from: &base)
            }
        }
    }
}
