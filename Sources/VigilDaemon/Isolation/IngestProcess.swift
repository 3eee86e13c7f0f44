import Foundation

/// A started `vigil ingest` child: the process, the write end of its standard input (its control
/// pipe, non-blocking once the configuration line is in) and the read end of its standard output.
struct IngestProcess {
    let process: Process
    /// Focus requests and acknowledgements go here; a child too busy to read loses them, never
    /// the daemon a thread.
    let control: FileHandle
    /// The child's messages (``IngestMessage``).
    let output: FileHandle

    /// Why a child could not be started.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `executable ingest <arguments>` and writes `configuration` (one JSON line) to its
    /// standard input: arguments are public to every user, and a source's URL may hold
    /// credentials.
    static func start(executable: String, arguments: [String], configuration: Data) throws(StartFailure) -> IngestProcess {
        _ = brokenPipesIgnored
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["ingest"] + arguments
        process.environment = environment()
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw StartFailure(description: "cannot start the ingest process \(executable): \(error)")
        }
        // A few kilobytes into an empty pipe: the write cannot block.
        do {
            try input.fileHandleForWriting.write(contentsOf: configuration + [0x0A])
        } catch {
            process.terminate()
            process.waitUntilExit()
            throw StartFailure(description: "cannot send the configuration to the ingest process: \(error)")
        }
        _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFL, O_NONBLOCK)
        return IngestProcess(process: process, control: input.fileHandleForWriting, output: output.fileHandleForReading)
    }

    /// Set before the first child starts: writing to a child that has died (a focus request, an
    /// acknowledgement) must fail with `EPIPE`, not end the daemon with `SIGPIPE`.
    private static let brokenPipesIgnored: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()

    /// Nothing of the daemon's environment reaches the child (it may hold secrets). A crash
    /// ends the child at once, without the runtime's backtracer (which would take seconds over a
    /// process full of decoded pictures). The allocator keeps one arena: a child's few threads
    /// hardly contend, and each extra arena kept its own freed pictures, so a 1080p child holds
    /// about 21 MB of private memory instead of 51 (BENCHMARKS.md). And it keeps pictures (up to
    /// 32 MiB each) in that arena, and up to 32 MiB of them once freed, rather than mapping each
    /// from the kernel and handing it back: a child reads one input, so with glibc's defaults
    /// every sampled picture was fresh memory, 160,000 page faults a second across 200 1080p
    /// children, a third of their CPU time. Kept, the faults stop, and 200 children need 1.27
    /// cores instead of 1.62, at about 6 MiB more memory each, and scan jobs read 50% more video
    /// a second (BENCHMARKS.md).
    private static func environment() -> [String: String] {
        var environment = [
            "SWIFT_BACKTRACE": "enable=no", "MALLOC_ARENA_MAX": "1",
            "MALLOC_MMAP_THRESHOLD_": "\(32 << 20)", "MALLOC_TRIM_THRESHOLD_": "\(32 << 20)",
        ]
        #if DEBUG
        environment[CrashInjection.variable] = ProcessInfo.processInfo.environment[CrashInjection.variable]
        #endif
        return environment
    }
}
