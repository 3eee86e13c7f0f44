import Foundation
import Synchronization
import VigilAlerts
import VigilMedia

/// The default stream session: reads a source with `FrameStream`, reopens it with exponential
/// backoff when it ends, fails or stalls, and paces local files at their own frame rate so that a
/// file plays like a live stream.
public struct ReconnectingFrameSource: FrameSource {
    /// Tunables.
    public struct Settings: Sendable, Equatable {
        /// No frame for this long (seconds) counts as a stall: the source is reopened.
        public var stallTimeout: Double = 15
        /// Backoff between reconnections.
        public var backoff = RetryPolicy(initial: 0.5, multiplier: 2, maximum: 30)
        /// Whether local files play at their frame rate (true) or as fast as they decode.
        public var paceFiles = true
        /// Frames buffered between the reader thread and the session; the oldest go first.
        public var readerCapacity = 2

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

    private enum Outcome: Sendable {
        case ended
        case failed(String)
        case stalled
        case cancelled
    }

    public func run(_ emit: @escaping @Sendable (FrameSourceEvent) -> Void) async {
        var failures = 0
        while !Task.isCancelled {
            emit(.state(.connecting, detail: nil))
            let (outcome, framesRead) = await readOnce(emit)
            if framesRead > 0 { failures = 0 }
            let reason: String
            switch outcome {
            case .cancelled:
                return
            case .ended where stream.isFile:
                emit(.state(.ended, detail: "end of file"))
                return
            case .ended:
                reason = "the source ended"
            case .failed(let message):
                reason = message
            case .stalled:
                reason = "no frame for \(settings.stallTimeout) s"
            }
            failures += 1
            let delay = settings.backoff.delay(afterFailures: failures)
            emit(.state(.backoff, detail: reason))
            do {
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            } catch {
                return
            }
            emit(.reconnect(reason: reason))
        }
    }

    /// Reads the source once, until it ends, fails, stalls or the task is cancelled.
    private func readOnce(_ emit: @escaping @Sendable (FrameSourceEvent) -> Void) async -> (Outcome, Int) {
        let pace = stream.isFile && settings.paceFiles
        // A paced file is read ahead of its clock, so the reader must wait rather than drop; a live
        // source must never wait (the freshest frame wins).
        let frames = FrameStream(url: stream.url, options: options, capacity: settings.readerCapacity, overflow: pace ? .wait : .dropOldest)
        let progress = Mutex(Progress(lastFrame: ContinuousClock.now))
        let reader = Task { () -> Outcome in
            var start: (clock: ContinuousClock.Instant, pts: Double)?
            var reportedDrops = 0
            defer { progress.withLock { $0.done = true } }
            do {
                for try await frame in frames {
                    if pace {
                        // Play the file at its own rate: frame n is due `pts - first pts` after the first.
                        if let start {
                            let due = start.clock + .milliseconds(Int((frame.ptsSeconds - start.pts) * 1000))
                            if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
                        } else {
                            start = (ContinuousClock.now, frame.ptsSeconds)
                        }
                    }
                    let first = progress.withLock { progress -> Bool in
                        progress.lastFrame = ContinuousClock.now
                        progress.frames += 1
                        return progress.frames == 1
                    }
                    if first { emit(.state(.live, detail: nil)) }
                    emit(.frame(frame))
                    let drops = frames.droppedFrames
                    if drops > reportedDrops {
                        emit(.droppedFrames(drops - reportedDrops))
                        reportedDrops = drops
                    }
                }
                return .ended
            } catch is CancellationError {
                return .cancelled
            } catch let error as MediaError {
                if case .cancelled = error { return .cancelled }
                return .failed(error.description)
            } catch {
                return .failed("\(error)")
            }
        }
        // The watchdog: notices stalls, and passes cancellation on to the reader.
        let tick = Duration.milliseconds(Int(min(250, settings.stallTimeout * 250)))
        while true {
            let finished = await withTaskCancellationHandler {
                try? await Task.sleep(for: tick)
                return Task.isCancelled
            } onCancel: {
                reader.cancel()
            }
            if finished {
                _ = await reader.value
                return (.cancelled, progress.withLock { $0.frames })
            }
            let (last, count, done) = progress.withLock { ($0.lastFrame, $0.frames, $0.done) }
            if done {
                return (await reader.value, count)
            }
            if ContinuousClock.now - last > .milliseconds(Int(settings.stallTimeout * 1000)) {
                reader.cancel()
                _ = await reader.value
                emit(.state(.stalled, detail: "no frame for \(settings.stallTimeout) s"))
                emit(.stall)
                return (.stalled, count)
            }
        }
    }

    private struct Progress {
        var lastFrame: ContinuousClock.Instant
        var frames = 0
        /// Set by the reader as its last act, so the watchdog never waits on a running reader.
        var done = false
    }

    private var options: MediaReaderOptions {
        let sampling: SamplingMode
        switch stream.sampling {
        case .keyframes: sampling = .keyframes
        case .everyFrame: sampling = .everyFrame
        case .interval(let seconds): sampling = .interval(seconds: seconds)
        }
        // One decoder thread per stream: a daemon runs many streams on few cores.
        return MediaReaderOptions(sampling: sampling, maxDimension: 8192, maxPixels: 4096 * 4096, decoderThreads: 1)
    }
}

/// Makes ``ReconnectingFrameSource`` sessions.
public struct ReconnectingFrameSourceFactory: FrameSourceFactory {
    /// Settings given to every session.
    public var settings: ReconnectingFrameSource.Settings

    /// Creates a factory.
    public init(settings: ReconnectingFrameSource.Settings = .init()) {
        self.settings = settings
    }

    public func makeSource(for stream: StreamSpec) -> any FrameSource {
        ReconnectingFrameSource(stream: stream, settings: settings)
    }
}
