import Foundation
import VigilDetect
import VigilMedia

/// The child side of a scan job read in isolation (`vigil ingest --scan`): the job's input read
/// by the very session ``InputScanner`` makes in process, but in a process that holds nothing
/// worth stealing, under resource limits, so that a decoder crash, hang or runaway allocation on
/// a hostile upload fails that job and nothing else.
///
/// Its ``Configuration`` comes as the first line of standard input. It writes what the input is
/// (``IngestMessage/opened(_:)``), the sampled frames, and how the reading ended
/// (``IngestMessage/ended(_:)``) to standard output, and reads control lines from standard
/// input: `ack` (the daemon is done with a frame) or a JSON ``FocusRequest``. At most
/// ``window`` frames are unacknowledged at once, so nothing is dropped however slowly the daemon
/// hashes. When standard input closes (the daemon is gone, or stopped the job) it exits.
public enum ScanChild {
    /// What the daemon tells the child, as the first line of its standard input: the input and
    /// the scanner settings that shape its session.
    public struct Configuration: Codable, Sendable, Equatable {
        /// The input, as the job gave it.
        public var input: String
        /// Which frames are sampled.
        public var sampling: SamplingMode
        /// Media seconds read at most.
        public var maxDuration: Double?
        /// Frames hashed at once by the daemon.
        public var jobs: Int
        /// Whether HTTP(S) inputs are recordings (``InputScanner/onDemand``).
        public var onDemand: Bool
        /// Whether reading runs at the lowest CPU priority.
        public var readsInBackground: Bool
        /// The child's address-space limit in bytes (`RLIMIT_AS`).
        public var memoryLimit: Int

        /// The settings of `scanner` for `input`.
        public init(input: String, scanner: InputScanner, memoryLimit: Int) {
            self.input = input
            sampling = scanner.sampling
            maxDuration = scanner.maxDuration
            jobs = scanner.jobs
            onDemand = scanner.onDemand
            readsInBackground = scanner.readsInBackground
            self.memoryLimit = memoryLimit
        }

        /// A scanner whose sessions read as the daemon's would.
        var scanner: InputScanner {
            var scanner = InputScanner(matchers: [], sampling: sampling, maxDuration: maxDuration, jobs: jobs)
            scanner.onDemand = onDemand
            scanner.readsInBackground = readsInBackground
            return scanner
        }
    }

    /// Frames sent and not yet acknowledged, at most: below ``IngestOutput/frameCapacity``, so the
    /// output never drops one.
    static let window = IngestOutput.frameCapacity - 1

    /// The control line that acknowledges a frame.
    static let acknowledgement = "ack"

    /// Reads the configuration line from standard input.
    public static func readConfiguration() throws(IngestConfigurationError) -> Configuration {
        try IngestChild.readConfigurationLine(Configuration.self)
    }

    /// Reads the input to its end, then exits; `label` names the job (a debug build's test-only
    /// crash injection picks the child by it).
    public static func run(_ configuration: Configuration, label: String) async -> Never {
        IngestChild.prepareProcess(memoryLimit: configuration.memoryLimit)
        let output = IngestOutput()
        let ending: IngestMessage.Ending
        do {
            let session = try configuration.scanner.makeSession(configuration.input)
            let acknowledgements = readControl(into: session)
            ending = await read(session, to: output, acknowledgements: acknowledgements, crash: CrashInjection(stream: label))
        } catch {
            ending = IngestMessage.Ending(error: error)
        }
        // Written after every frame queued.
        if let message = try? IngestMessage.ended(ending).encoded() { output.send(status: message) }
        output.finish()
        exit(0)
    }

    private static func read(
        _ session: StreamSession, to output: IngestOutput, acknowledgements: AsyncStream<Void>, crash: CrashInjection?
    ) async -> IngestMessage.Ending {
        defer { session.stop() }
        var acknowledged = acknowledgements.makeAsyncIterator()
        do {
            let info = try await session.opened()
            // In the frames' queue, which keeps order (a status may be replaced before it is written).
            if let message = try? IngestMessage.opened(info).encoded() { output.send(frame: message) }
            var outstanding = 0
            for try await frame in session.frames {
                while outstanding >= window {
                    // The daemon closed the control pipe: it is gone or stopped the job.
                    guard await acknowledged.next() != nil else { exit(0) }
                    outstanding -= 1
                }
                guard let message = try? IngestMessage.frame(frame).encoded() else {
                    return IngestMessage.Ending(error: .decodeFailed(url: session.source.url, reason: "a frame could not be encoded"))
                }
                output.send(frame: message)
                outstanding += 1
                crash?.frameSent()
            }
            return IngestMessage.Ending(error: nil)
        } catch {
            return IngestMessage.Ending(error: error)
        }
    }

    /// Acknowledgements and focus requests from the daemon; each acknowledgement reaches the
    /// session and the returned stream.
    private static func readControl(into session: StreamSession) -> AsyncStream<Void> {
        let (acknowledgements, continuation) = AsyncStream.makeStream(of: Void.self)
        IngestChild.readControlLines(threadName: "vigil-scan-control") { line in
            if line.elementsEqual(acknowledgement.utf8) {
                session.acknowledge()
                continuation.yield()
            } else if let request = try? JSONDecoder().decode(FocusRequest.self, from: line) {
                session.focus(request)
            }
        }
        return acknowledgements
    }
}
