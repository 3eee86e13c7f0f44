import Foundation
import Logging
import VigilMedia

/// The child side of ingest isolation (`vigil ingest`): one live stream's session, run in a
/// process that holds nothing worth stealing — no API token, webhook secret, outbox or database
/// handle, an empty environment — under resource limits, so that a decoder crash, hang or
/// runaway allocation costs this stream a restart and nothing else.
///
/// It reads its ``Configuration`` as the first line of standard input (not as an argument: a
/// stream URL's credentials would show in every user's process list), writes the frames its
/// session samples and the session's status to standard output (``IngestMessage``) and reads
/// focus requests, one JSON ``FocusRequest`` a line, from standard input after that. When
/// standard input closes (the daemon is gone) it exits.
public enum IngestChild {
    /// What the daemon tells its child, as the first line of its standard input.
    public struct Configuration: Codable, Sendable, Equatable {
        /// The stream to read.
        public var stream: StreamSpec
        /// Deadlines; nil takes the session's defaults for the source's kind.
        public var timeouts: StreamTimeouts?
        /// Retries after the source is lost (inside the child: a lost connection is no crash).
        public var reconnect: ReconnectPolicy
        /// The child's address-space limit in bytes (`RLIMIT_AS`).
        public var memoryLimit: Int

        /// Creates a configuration.
        public init(stream: StreamSpec, timeouts: StreamTimeouts?, reconnect: ReconnectPolicy, memoryLimit: Int) {
            self.stream = stream
            self.timeouts = timeouts
            self.reconnect = reconnect
            self.memoryLimit = memoryLimit
        }
    }

    /// The longest configuration line read: far above any real one.
    static let maxConfigurationBytes = 1 << 20

    /// Reads the configuration line from standard input.
    public static func readConfiguration() throws(IngestConfigurationError) -> Configuration {
        try readConfigurationLine(Configuration.self)
    }

    /// Reads a child's configuration, one JSON line, from standard input, byte by byte so that
    /// nothing after the line (the control lines) is consumed.
    static func readConfigurationLine<Value: Decodable>(_ type: Value.Type) throws(IngestConfigurationError) -> Value {
        var line = Data()
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0, errno == EINTR { continue }
            guard count == 1 else { throw IngestConfigurationError(problem: "standard input ended before the configuration line") }
            if byte == 0x0A { break }
            line.append(byte)
            guard line.count <= maxConfigurationBytes else {
                throw IngestConfigurationError(problem: "the configuration line is longer than \(maxConfigurationBytes) bytes")
            }
        }
        do {
            return try JSONDecoder().decode(type, from: line)
        } catch {
            throw IngestConfigurationError(problem: "the configuration line is not an ingest configuration: \(error)")
        }
    }

    /// Seconds between status reports.
    static let statusInterval: Duration = .milliseconds(500)

    /// Runs the stream until standard input closes; the process then exits.
    public static func run(_ configuration: Configuration) async -> Never {
        prepareProcess(memoryLimit: configuration.memoryLimit)
        var settings = SessionFrameSource.Settings()
        settings.timeouts = configuration.timeouts
        settings.reconnect = configuration.reconnect
        let source = SessionFrameSource(stream: configuration.stream, settings: settings, logger: Logger(label: "vigil-ingest"))
        let output = IngestOutput()
        let crash = CrashInjection(stream: configuration.stream.id)
        readFocusRequests(into: source)
        let reporting = Task {
            while !Task.isCancelled {
                report(source, to: output)
                try? await Task.sleep(for: statusInterval)
            }
        }
        await source.run { frame in
            guard let message = try? IngestMessage.frame(frame).encoded() else { return }
            output.send(frame: message)
            crash?.frameSent()
        }
        reporting.cancel()
        report(source, to: output)
        output.finish()
        // The session ended by itself (a live stream's session only does on a terminal error):
        // wait for the daemon to notice, rather than exiting into a restart loop.
        // (The control thread exits the process when the daemon closes standard input.)
        while true { try? await Task.sleep(for: .seconds(3600)) }
    }

    private static func report(_ source: SessionFrameSource, to output: IngestOutput) {
        var status = source.status
        status.counters.droppedFrames += output.dropped
        if let message = try? IngestMessage.status(status).encoded() { output.send(status: message) }
    }

    /// Focus requests from the daemon.
    private static func readFocusRequests(into source: SessionFrameSource) {
        readControlLines(threadName: "vigil-ingest-control") { line in
            if let request = try? JSONDecoder().decode(FocusRequest.self, from: line) {
                source.feedback?.focus(request)
            }
        }
    }

    /// Hands each line the daemon writes to standard input to `handle`, on a thread of its own
    /// (reading blocks); the child exits when the daemon closes its end.
    static func readControlLines(threadName: String, _ handle: @escaping @Sendable (Data) -> Void) {
        let thread = Thread {
            var pending = Data()
            while true {
                let chunk = FileHandle.standardInput.availableData
                if chunk.isEmpty { exit(0) }
                pending.append(chunk)
                // A line longer than any request is a broken daemon end: drop it.
                if pending.count > 1 << 20 { pending.removeAll() }
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending.removeSubrange(pending.startIndex...newline)
                    handle(Data(line))
                }
            }
        }
        thread.name = threadName
        thread.start()
    }

    /// What every child does first: a daemon gone away is seen as a failed write, not a signal;
    /// standard output is the protocol, so logs go to standard error (which the daemon discards;
    /// it logs what it learns from the messages); and the resource limits.
    static func prepareProcess(memoryLimit: Int) {
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        limitResources(memory: memoryLimit)
    }

    /// No core files (they would hold decoded pictures), a bounded address space, and few files.
    private static func limitResources(memory: Int) {
        var core = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &core)
        var space = rlimit(rlim_cur: rlim_t(memory), rlim_max: rlim_t(memory))
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &space)
        var files = rlimit(rlim_cur: 256, rlim_max: 256)
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files)
    }
}
