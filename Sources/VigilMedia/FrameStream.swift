import Foundation

/// Decodes an input on a dedicated thread and delivers its frames as an `AsyncSequence`.
///
/// FFmpeg calls block, so the ``MediaReader`` runs on its own `Thread`, never on Swift's cooperative
/// pool. Frames pass through a buffer of at most `capacity` frames; ``Overflow`` decides what a full
/// buffer does to the reader.
///
/// The stream is single-pass: the reader starts on the first ``makeAsyncIterator()`` or ``info()``
/// call, and every iterator shares it. Opening errors surface from the first `next()` (and from
/// ``info()``). Cancelling the consuming task, or dropping the iterator (for example by breaking
/// out of a `for try await` loop), or dropping every copy of the stream, interrupts the reader and
/// ends its thread promptly; a `next()` call cut short by cancellation throws
/// ``MediaError/cancelled(url:)``.
public struct FrameStream: AsyncSequence, Sendable {
    /// Each element is one selected, RGB-converted frame.
    public typealias Element = Frame
    /// Iteration throws only ``MediaError``.
    public typealias Failure = MediaError

    /// What the reader does when the consumer falls `capacity` frames behind.
    public enum Overflow: Sendable, Equatable {
        /// The reader blocks until the consumer catches up: nothing is lost (files).
        case wait
        /// The oldest buffered frame is discarded for the new one and counted in
        /// ``FrameStream/droppedFrames`` (live sources, where the freshest picture wins).
        case dropOldest
    }

    private let url: String
    private let options: MediaReaderOptions
    private let lifetime: Lifetime

    /// Prepares a stream of `url`'s frames; nothing is opened until iteration or ``info()``.
    ///
    /// - Parameters:
    ///   - capacity: most frames buffered between the reader and the consumer (at least 1).
    ///   - overflow: what a full buffer does; `.wait` for files.
    public init(url: String, options: MediaReaderOptions = .init(), capacity: Int = 8, overflow: Overflow = .wait) {
        self.url = url
        self.options = options
        lifetime = Lifetime(channel: FrameChannel(url: url, capacity: capacity, overflow: overflow))
    }

    /// The input's description, once the reader has opened it (starting the reader if needed).
    ///
    /// - Throws: the opening error, or ``MediaError/cancelled(url:)`` if the stream or the calling
    ///   task is cancelled first.
    public func info() async throws(MediaError) -> MediaInfo {
        startReaderIfNeeded()
        return try await lifetime.channel.info().get()
    }

    /// Frames the reader discarded because the buffer was full (``Overflow/dropOldest`` only).
    /// Readable at any time, during or after iteration.
    public var droppedFrames: Int { lifetime.channel.droppedFrames }

    /// Whether the reader thread is still alive.
    var isReaderRunning: Bool { lifetime.channel.isReaderRunning }

    /// Reports whether the reader thread is alive, without keeping the stream (and so the reader) alive.
    func makeReaderProbe() -> @Sendable () -> Bool {
        let channel = lifetime.channel
        return { channel.isReaderRunning }
    }

    /// The most frames ever buffered at once.
    var bufferHighWaterMark: Int { lifetime.channel.highWaterMark }

    /// Starts the reader thread if it is not running yet and returns an iterator over its frames.
    /// Dropping the iterator stops the reader.
    public func makeAsyncIterator() -> Iterator {
        startReaderIfNeeded()
        return Iterator(lifetime: lifetime, token: IterationToken(channel: lifetime.channel))
    }

    /// Pulls frames from the stream's reader thread.
    public struct Iterator: AsyncIteratorProtocol {
        /// One selected, RGB-converted frame.
        public typealias Element = Frame
        /// Iteration throws only ``MediaError``.
        public typealias Failure = MediaError

        /// Keeps the stream's reader alive while this iterator exists, even if the stream is gone.
        fileprivate let lifetime: Lifetime
        /// Stops the reader when this iterator is dropped.
        fileprivate let token: IterationToken

        /// The next frame, or `nil` once the input is exhausted or after an error was thrown.
        public mutating func next() async throws(MediaError) -> Frame? {
            try await lifetime.channel.next().get()
        }

        /// The next frame, or `nil` once the input is exhausted or after an error was thrown.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(MediaError) -> Frame? {
            try await lifetime.channel.next().get()
        }
    }

    private func startReaderIfNeeded() {
        let channel = lifetime.channel
        guard channel.claimStart() else { return }
        let url = url
        let options = options
        let thread = Thread {
            FrameStream.runReader(url: url, options: options, channel: channel)
            channel.readerStopped()
        }
        thread.name = "vigil.reader"
        thread.start()
    }

    /// The reader thread's whole life: open, decode, hand over, stop.
    private static func runReader(url: String, options: MediaReaderOptions, channel: FrameChannel) {
        let reader: MediaReader
        do {
            reader = try MediaReader(url: url, options: options, cancellation: channel.cancellation)
        } catch {
            channel.finish(.failure(error))
            return
        }
        channel.opened(reader.info)
        while true {
            do {
                guard let frame = try reader.nextFrame() else {
                    channel.finish(.success(()))
                    return
                }
                guard channel.send(frame) else { return }
            } catch {
                channel.finish(.failure(error))
                return
            }
        }
    }
}

/// Cancels the reader once no copy of the stream and no iterator refers to it any more.
private final class Lifetime: Sendable {
    let channel: FrameChannel

    init(channel: FrameChannel) {
        self.channel = channel
    }

    deinit {
        channel.cancel()
    }
}

/// Cancels the reader when the iterator holding it is dropped, such as on `break` out of a loop.
private final class IterationToken: Sendable {
    let channel: FrameChannel

    init(channel: FrameChannel) {
        self.channel = channel
    }

    deinit {
        channel.cancel()
    }
}
