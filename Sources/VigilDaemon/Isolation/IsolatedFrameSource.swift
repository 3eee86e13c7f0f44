import Foundation
import Logging
import Synchronization
import VigilMedia

/// A live stream read by an ingest child process (``IngestChild``, `vigil ingest`) instead of
/// inside the daemon: demuxing and decoding hostile media happen where a crash, a hang or a
/// runaway allocation costs this stream a restart, and where there is no token, secret or
/// database to reach.
///
/// The child runs the stream's session (with its own reconnects) and sends frames and status over
/// a pipe, which ``IngestMessageDecoder`` reads without trusting it. When the child dies, is
/// killed for breaking the protocol, or goes silent past the stall bound, the source counts a
/// restart, records why (a fault the stream-health watch sees as the source answering), and
/// starts another after the reconnect policy's backoff.
public final class IsolatedFrameSource: FrameSource {
    /// How children are made.
    public struct Settings: Sendable {
        /// The `vigil` executable to run as `vigil ingest`.
        public var executable: String
        /// The session settings the child uses (timeouts, reconnects); also the restart backoff.
        public var session: SessionFrameSource.Settings
        /// Each child's address-space limit.
        public var memoryLimit: Int
        /// Longest a child may send nothing at all, or report a live session that reads no
        /// packet (a decoder caught in a loop), before it is killed as hung.
        public var silenceLimit: Double

        /// Creates settings.
        public init(
            executable: String, session: SessionFrameSource.Settings = .init(), memoryLimit: Int = 3 << 30,
            silenceLimit: Double = 30
        ) {
            self.executable = executable
            self.session = session
            self.memoryLimit = memoryLimit
            self.silenceLimit = silenceLimit
        }
    }

    /// The stream.
    public let stream: StreamSpec
    /// The settings in force.
    public let settings: Settings
    private let logger: Logger

    private struct State {
        /// The child's latest status report.
        var reported: SourceStatus?
        /// Why the last child ended, when it did not end by being stopped.
        var lastEnd: SourceFault?
        var restarts = 0
        /// The counts of the children that ended: each new child counts from zero.
        var carried = StreamCounters()
        /// The running child's standard input (focus requests go there).
        var control: FileHandle?
        var stopped = false
    }
    private let state = Mutex(State())
    private let created = Date()

    /// Creates a source for `stream`; nothing runs until ``run(_:)``.
    public init(stream: StreamSpec, settings: Settings, logger: Logger = Logger(label: "vigil")) {
        self.stream = stream
        self.settings = settings
        self.logger = logger
    }

    public var status: SourceStatus {
        let state = state.withLock { $0 }
        var status = state.reported ?? SourceStatus(state: .connecting, since: created)
        if state.stopped { status.state = .stopped }
        status.counters = state.carried.adding(status.counters)
        status.counters.reconnects += state.restarts
        if let end = state.lastEnd, status.lastFault.map({ $0.at < end.at }) ?? true {
            status.lastFault = end
        }
        return status
    }

    public var feedback: SampleFeedback? {
        SampleFeedback(
            focus: { [self] request in
                guard var line = try? JSONEncoder().encode(request) else { return }
                line.append(0x0A)
                // Under the lock, so the descriptor cannot be closed (and its number reused) in
                // between; the pipe is non-blocking: a child too busy to read loses the request,
                // never the daemon a thread.
                state.withLock { state in
                    guard let control = state.control else { return }
                    _ = line.withUnsafeBytes { write(control.fileDescriptor, $0.baseAddress, $0.count) }
                }
            },
            acknowledge: {})
    }

    public func run(_ emit: @escaping @Sendable (Frame) -> Void) async {
        var attempt = 0
        while !Task.isCancelled {
            let started = Date()
            let end = await runChild(emit)
            if Task.isCancelled { break }
            let fault = SourceFault(error: .decodeFailed(url: stream.url, reason: end), at: Date())
            state.withLock {
                $0.lastEnd = fault
                $0.restarts += 1
                if let last = $0.reported { $0.carried = $0.carried.adding(last.counters) }
                $0.reported = SourceStatus(state: .backoff, since: fault.at, detail: fault.error.description, lastFault: fault)
            }
            logger.error("ingest process ended; restarting", metadata: ["stream": "\(stream.id)", "reason": "\(end)"])
            // A child that ran a while before it ended starts over at the shortest backoff.
            attempt = Date().timeIntervalSince(started) > 60 ? 0 : attempt + 1
            let delay = settings.session.reconnect.delay(afterFailures: attempt, unit: Double.random(in: 0...1))
            try? await Task.sleep(for: .seconds(delay))
        }
        state.withLock { $0.stopped = true }
    }

    /// Runs one child until it ends (or the task is cancelled); returns why it ended.
    private func runChild(_ emit: @escaping @Sendable (Frame) -> Void) async -> String {
        let configuration = IngestChild.Configuration(
            stream: stream, timeouts: settings.session.timeouts, reconnect: settings.session.reconnect,
            memoryLimit: settings.memoryLimit)
        guard let line = try? JSONEncoder().encode(configuration) else {
            return "cannot describe the stream to the ingest process"
        }
        // The child's first connection opens under one of the daemon's slots for opening
        // connections: a daemon starting hundreds of children at once would otherwise have them
        // all probe together, and time out together.
        let slot = await openingSlot()
        if Task.isCancelled { return "stopped" }
        let child: IngestProcess
        do {
            child = try IngestProcess.start(
                executable: settings.executable, arguments: ["--stream", stream.id, "--daemon", "\(getpid())"], configuration: line)
        } catch {
            return error.description
        }
        let process = child.process
        state.withLock { $0.control = child.control }
        let (ended, reader) = AsyncStream.makeStream(of: String.self)
        // The limits the child's own session works to: the daemon holds what it sends to them.
        let childOptions = SessionFrameSource.options(for: stream, settings: settings.session)
        let thread = Thread { [self] in
            let why = readMessages(
                from: child.output.fileDescriptor, options: childOptions, process: process, openingSlot: slot, emit: emit)
            reader.yield(why)
            reader.finish()
        }
        thread.name = "vigil-ingest-\(stream.id)"
        thread.start()
        let why = await withTaskCancellationHandler {
            var why = "ended"
            for await reason in ended { why = reason }
            return why
        } onCancel: {
            kill(process.processIdentifier, SIGKILL)
        }
        state.withLock { state in
            state.control = nil
            try? child.control.close()
        }
        return why
    }

    /// Waits for a slot to open a connection in, if the daemon limits them; `nil` without a limit
    /// or once the task is cancelled.
    private func openingSlot() async -> ConnectionGate.Slot? {
        guard let gate = settings.session.connectionGate else { return nil }
        while !Task.isCancelled {
            if let slot = gate.tryTake() { return slot }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Reads the child's messages until its output ends, or it breaks the protocol or hangs (then
    /// it is killed); waits for it to exit; says why it ended. Runs on its own thread.
    ///
    /// `openingSlot` is given back once the child's first connection is through opening (a frame,
    /// or a state other than connecting), or after its open and probe deadlines, or at its end.
    private func readMessages(
        from descriptor: Int32, options: StreamOptions, process: Process, openingSlot: ConnectionGate.Slot?,
        emit: @Sendable (Frame) -> Void
    ) -> String {
        defer { openingSlot?.release() }
        let timeouts = (try? StreamSource(stream.url)).map(options.timeouts(for:))
        let openingEnds = ProcessInfo.processInfo.systemUptime + (timeouts.map { $0.open + $0.probe } ?? 20)
        var decoder = IngestMessageDecoder(maxDimension: options.media.maxDimension, maxPixels: options.media.maxPixels)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var broken: String?
        var interruptions = LogRateLimit()
        // The child's pictures count against the daemon's shared memory budget, as an in-process
        // reader's do: reserved from the size of the pictures it sends and the decoding mode its
        // latest status reports (the worst case before the first; a status trails a switch by at
        // most a status interval), given back when it ends. The child's address-space limit, not
        // this estimate, is what bounds a child gone wrong.
        var reserved = 0
        var picture: (width: Int, height: Int, format: PictureFormat)?
        var decodesEveryPicture: Bool?
        let budget = settings.session.memoryBudget
        defer { if reserved > 0 { budget?.release(reserved) } }
        /// Moves the reservation to the latest picture size and decoding mode; says why not.
        func reserve() -> String? {
            guard let budget, let picture else { return nil }
            let needed = options.limits.estimatedBytes(
                width: picture.width, height: picture.height, bufferedFrames: options.frameBufferCapacity,
                format: picture.format,
                decoderPictures: StreamLimits.decoderPictures(decodingEveryPicture: decodesEveryPicture ?? true))
            guard !budget.move(&reserved, to: needed) else { return nil }
            return MediaError.memoryBudgetExhausted(url: stream.url, bytes: needed, budget: budget.limit).problem
        }
        var heard = ProcessInfo.processInfo.systemUptime
        var progress = (at: heard, packets: -1)
        reading: while true {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 1000)
            let now = ProcessInfo.processInfo.systemUptime
            if now >= openingEnds { openingSlot?.release() }
            if now - heard >= settings.silenceLimit {
                broken = "the ingest process sent nothing for \(Int(settings.silenceLimit)) s (hung)"
                break
            }
            if now - progress.at >= settings.silenceLimit {
                broken = "the ingest process read no packet for \(Int(settings.silenceLimit)) s while live (hung)"
                break
            }
            if ready == 0 {
                // A child that died leaves its output open while another process holds the pipe's
                // write end (one started at the same moment can inherit it), so its end is seen
                // here, not only as the end of the pipe. Nothing was left to read: poll said so.
                if !process.isRunning { break }
                continue
            }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            heard = now
            guard decoder.read(from: descriptor, using: &buffer) else { break }
            do {
                while let message = try decoder.next() {
                    switch message {
                    case .frame(let frame):
                        if frame.crop == nil {
                            picture = (frame.width, frame.height, frame.format)
                            if let refusal = reserve() {
                                broken = refusal
                                break reading
                            }
                        }
                        openingSlot?.release()
                        // A frame says the session is live before the next status report can.
                        state.withLock { state in
                            guard let reported = state.reported, reported.state != .live else { return }
                            state.reported = SourceStatus(
                                state: .live, since: frame.observedAt, counters: reported.counters, lastFault: reported.lastFault)
                        }
                        emit(frame)
                    case .status(let status):
                        if status.state != .connecting { openingSlot?.release() }
                        let previous = state.withLock { state in
                            defer { state.reported = status }
                            return state.reported?.lastFault
                        }
                        if let fault = status.lastFault, fault != previous { logInterruption(fault, limit: &interruptions) }
                        // Only a live session is expected to read; any other state is its own progress.
                        if status.state != .live || status.counters.packets != progress.packets {
                            progress = (now, status.counters.packets)
                        }
                        if status.counters.decodesEveryPicture != decodesEveryPicture {
                            decodesEveryPicture = status.counters.decodesEveryPicture
                            if let refusal = reserve() {
                                broken = refusal
                                break reading
                            }
                        }
                    case .opened, .ended:
                        broken = "the ingest process of a live stream sent a scan job's message"
                        break reading
                    }
                }
            } catch {
                broken = "the ingest process broke the protocol: \(error)"
                break reading
            }
        }
        if broken != nil { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        if let broken { return broken }
        switch process.terminationReason {
        case .uncaughtSignal: return "the ingest process crashed (signal \(process.terminationStatus))"
        case .exit: return "the ingest process exited with status \(process.terminationStatus)"
        @unknown default: return "the ingest process ended"
        }
    }

    /// Logs an error the child's session reported, a few a minute at most (as in-process sources do).
    private func logInterruption(_ fault: SourceFault, limit: inout LogRateLimit) {
        let (admitted, heldBack) = limit.admit(at: fault.at.timeIntervalSince1970)
        guard admitted else { return }
        var metadata: Logger.Metadata = ["stream": "\(stream.id)", "reason": "\(fault.error)"]
        if heldBack > 0 { metadata["interruptions_not_logged"] = "\(heldBack)" }
        logger.warning("stream interrupted", metadata: metadata)
    }
}

/// Makes sources for a daemon that isolates ingest: live streams in child processes
/// (``IsolatedFrameSource``), local files (the operator's own) in the daemon's own sessions.
public struct IsolatedFrameSourceFactory: FrameSourceFactory {
    /// Settings for every child.
    public var settings: IsolatedFrameSource.Settings
    /// Where sources log.
    public var logger: Logger

    /// Creates a factory.
    public init(settings: IsolatedFrameSource.Settings, logger: Logger = Logger(label: "vigil")) {
        self.settings = settings
        self.logger = logger
    }

    public func makeSource(for stream: StreamSpec) -> any FrameSource {
        stream.isFile
            ? SessionFrameSource(stream: stream, settings: settings.session, logger: logger)
            : IsolatedFrameSource(stream: stream, settings: settings, logger: logger)
    }
}
