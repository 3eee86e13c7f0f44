import Foundation
import Synchronization
import VigilDetect
import VigilMedia

/// A scan job's input read by an ingest child (``ScanChild``, `vigil ingest --scan`) instead of
/// inside the daemon: an upload is hostile media, and its demuxing and decoding happen where a
/// crash, a hang or a runaway allocation fails the job, with no token, secret or database in
/// reach.
///
/// The child runs the session ``InputScanner`` would run here, so the frames, and the verdict,
/// are the same. Its messages are read on a thread of their own by ``IngestMessageDecoder``,
/// which trusts none of them; acknowledgements and focus requests go back over its standard
/// input. A child that ends without saying how its reading ended (it crashed, or was killed for
/// its memory) ends the scan with that as the error.
final class IsolatedScanInput: SampledInput {
    /// How children are made.
    struct Settings: Sendable {
        /// The `vigil` executable to run as `vigil ingest --scan`.
        var executable: String
        /// Each child's address-space limit.
        var memoryLimit: Int
    }

    private struct State {
        var info: MediaInfo?
        /// Why the input could not be opened, once known.
        var failure: MediaError?
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Frames received and not yet acknowledged.
        var outstanding = 0
        var stopped = false
    }

    let frames: AsyncThrowingStream<Frame, any Error>
    private let state = Mutex(State())
    private let process: Process
    private let control: FileHandle
    /// The input without its credentials, for errors.
    private let shown: String

    /// Starts a child reading `input` as `scanner` would.
    init(input: String, scanner: InputScanner, settings: Settings, label: String) throws {
        shown = RedactedURL(input).description
        let line = try JSONEncoder().encode(ScanChild.Configuration(input: input, scanner: scanner, memoryLimit: settings.memoryLimit))
        let child: IngestProcess
        do {
            child = try IngestProcess.start(
                executable: settings.executable, arguments: ["--scan", "--stream", label, "--daemon", "\(getpid())"], configuration: line)
        } catch {
            throw MediaError.openFailed(url: shown, reason: error.description)
        }
        process = child.process
        control = child.control
        let (frames, continuation) = AsyncThrowingStream.makeStream(of: Frame.self, throwing: (any Error).self)
        self.frames = frames
        let limits = StreamOptions().media
        let thread = Thread { [self] in
            let outcome = readMessages(
                from: child.output.fileDescriptor, maxDimension: limits.maxDimension, maxPixels: limits.maxPixels,
                frames: continuation)
            finish(outcome, frames: continuation)
        }
        thread.name = "vigil-scan-\(label)"
        thread.start()
        continuation.onTermination = { [weak self] _ in self?.stop() }
    }

    var info: MediaInfo? { state.withLock { $0.info } }

    func opened() async throws(MediaError) -> MediaInfo {
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter in
                let ready = state.withLock { state in
                    guard state.info == nil, state.failure == nil else { return true }
                    state.waiters.append(waiter)
                    return false
                }
                if ready { waiter.resume() }
            }
        } onCancel: {
            stop()
        }
        let (info, failure) = state.withLock { ($0.info, $0.failure) }
        if let info { return info }
        throw failure ?? .cancelled(url: shown)
    }

    func focus(_ request: FocusRequest) {
        guard var line = try? JSONEncoder().encode(request) else { return }
        line.append(0x0A)
        send(line)
    }

    func acknowledge() {
        let owed = state.withLock { state in
            guard state.outstanding > 0 else { return false }
            state.outstanding -= 1
            return true
        }
        if owed { send(Data((ScanChild.acknowledgement + "\n").utf8)) }
    }

    func stop() {
        let running = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        guard running else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? control.close()
    }

    /// Writes a control line, under the lock so the descriptor cannot be closed (and its number
    /// reused) in between. The pipe is non-blocking: a child that stopped reading (hung) loses the
    /// line, and the job's timeout ends it.
    private func send(_ line: Data) {
        state.withLock { state in
            guard !state.stopped else { return }
            _ = line.withUnsafeBytes { write(control.fileDescriptor, $0.baseAddress, $0.count) }
        }
    }

    /// Reads the child's messages until its output ends or it breaks the protocol (then it is
    /// killed); says how the reading ended. Runs on its own thread.
    private func readMessages(
        from descriptor: Int32, maxDimension: Int, maxPixels: Int, frames: AsyncThrowingStream<Frame, any Error>.Continuation
    ) -> Result<Void, MediaError> {
        var decoder = IngestMessageDecoder(maxDimension: maxDimension, maxPixels: maxPixels)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var ending: IngestMessage.Ending?
        var broken: String?
        reading: while ending == nil {
            guard decoder.read(from: descriptor, using: &buffer) else { break }
            do {
                while let message = try decoder.next() {
                    switch message {
                    case .opened(let info):
                        resolveOpening(info: info, failure: nil)
                    case .frame(let frame):
                        let outstanding = state.withLock { state in
                            state.outstanding += 1
                            return state.outstanding
                        }
                        // The child waits for acknowledgements: more is a subverted child
                        // filling the daemon's memory.
                        guard outstanding <= ScanChild.window else {
                            broken = "the ingest process sent \(outstanding) frames without waiting for them to be taken"
                            break reading
                        }
                        frames.yield(frame)
                    case .ended(let end):
                        ending = end
                        break reading
                    case .status:
                        broken = "the ingest process of a scan job sent a live stream's status"
                        break reading
                    }
                }
            } catch {
                broken = "the ingest process broke the protocol: \(error)"
                break reading
            }
        }
        // Done or broken, the child has nothing more to give; one that closed its output on its
        // own gets a moment to exit with its status.
        if ending != nil || broken != nil || !exits(within: 2) { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        if let ending { return ending.error.map { .failure($0) } ?? .success(()) }
        if let broken { return .failure(.decodeFailed(url: shown, reason: broken)) }
        if state.withLock({ $0.stopped }) { return .failure(.cancelled(url: shown)) }
        switch process.terminationReason {
        case .uncaughtSignal:
            return .failure(.decodeFailed(url: shown, reason: "the ingest process reading it crashed (signal \(process.terminationStatus))"))
        default:
            return .failure(.decodeFailed(url: shown, reason: "the ingest process reading it exited with status \(process.terminationStatus) before the end"))
        }
    }

    /// Whether the child exits within `seconds`.
    private func exits(within seconds: Double) -> Bool {
        let deadline = ProcessInfo.processInfo.systemUptime + seconds
        while process.isRunning {
            guard ProcessInfo.processInfo.systemUptime < deadline else { return false }
            usleep(20_000)
        }
        return true
    }

    private func finish(_ outcome: Result<Void, MediaError>, frames: AsyncThrowingStream<Frame, any Error>.Continuation) {
        switch outcome {
        case .success:
            resolveOpening(info: nil, failure: .noFrames(url: shown))
            frames.finish()
        case .failure(let error):
            resolveOpening(info: nil, failure: error)
            frames.finish(throwing: error)
        }
    }

    /// Wakes those waiting for the input to open; the first answer stands.
    private func resolveOpening(info: MediaInfo?, failure: MediaError?) {
        let waiters = state.withLock { state in
            if state.info == nil, state.failure == nil {
                state.info = info
                state.failure = info == nil ? failure : nil
            }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
