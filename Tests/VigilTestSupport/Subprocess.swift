import Foundation

/// What a finished child process printed and returned.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    /// The child's peak resident memory in bytes (Linux `VmHWM`), sampled while it ran; nil when the
    /// child exited before the first sample.
    public var peakResidentBytes: Int?

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Why a child process could not be run to completion.
public struct SubprocessError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// Runs a program to completion with a deadline, so no test can hang on a stuck child.
///
/// The waiting happens on threads of its own, never on Swift's cooperative pool: tests run in
/// parallel on that pool, and on a 2-core machine two tests waiting on long children would
/// otherwise hold every thread and starve the rest into their time limits. Output is drained while
/// the child runs, so a chatty child never blocks on a full pipe. The child is killed when the
/// deadline passes or the calling task is cancelled.
public func runProcess(
    _ executable: String,
    _ arguments: [String],
    stdin: Data? = nil,
    environment: [String: String]? = nil,
    timeout: TimeInterval = 120
) async throws -> ProcessOutput {
    let child = try ChildRun(executable, arguments, environment: environment)
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try child.finish(stdin: stdin, timeout: timeout) })
            }
        }
    } onCancel: {
        child.kill()
    }
}

/// One started child and the blocking work of seeing it through to its end.
private final class ChildRun: @unchecked Sendable {
    private let process = Process()
    private let description: String
    private let outPipe = Pipe()
    private let errPipe = Pipe()
    private let inPipe = Pipe()

    init(_ executable: String, _ arguments: [String], environment: [String: String]?) throws {
        description = ([executable] + arguments).joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: executable.contains("/") ? executable : "/usr/bin/env")
        process.arguments = executable.contains("/") ? arguments : [executable] + arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
    }

    func kill() {
        process.terminate()
        Foundation.kill(process.processIdentifier, SIGKILL)
    }

    /// Feeds `stdin`, collects the output and waits for the exit; blocks the calling thread.
    func finish(stdin: Data?, timeout: TimeInterval) throws -> ProcessOutput {
        let collected = CollectedOutput()
        let drained = DispatchGroup()
        for (pipe, isStdout) in [(outPipe, true), (errPipe, false)] {
            drained.enter()
            Thread.detachNewThread {
                collected.store(pipe.fileHandleForReading.readDataToEndOfFile(), isStdout: isStdout)
                drained.leave()
            }
        }
        if let stdin {
            try? inPipe.fileHandleForWriting.write(contentsOf: stdin)
        }
        try? inPipe.fileHandleForWriting.close()

        let exited = DispatchSemaphore(value: 0)
        let process = self.process
        Thread.detachNewThread {
            process.waitUntilExit()
            exited.signal()
        }
        // The high-water mark only grows, so the last sample before exit is (nearly) the true peak.
        var peak: Int?
        let deadline = DispatchTime.now() + timeout
        while exited.wait(timeout: .now() + 0.02) == .timedOut {
            if let sample = peakResidentBytes(of: process.processIdentifier) { peak = max(peak ?? 0, sample) }
            if DispatchTime.now() >= deadline {
                kill()
                _ = exited.wait(timeout: .now() + 5)
                throw SubprocessError(description: "\(description) timed out after \(timeout) s")
            }
        }
        _ = drained.wait(timeout: .now() + 10)
        let (out, err) = collected.values
        return ProcessOutput(status: process.terminationStatus, stdout: out, stderr: err, peakResidentBytes: peak)
    }
}

/// `VmHWM` of a running process, in bytes.
private func peakResidentBytes(of pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first
        return kilobytes.map { $0 * 1024 }
    }
    return nil
}

private final class CollectedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func store(_ data: Data, isStdout: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if isStdout { out = data } else { err = data }
    }

    var values: (Data, Data) {
        lock.lock()
        defer { lock.unlock() }
        return (out, err)
    }
}
