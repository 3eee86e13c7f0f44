import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Python's `http.server` serving a folder on a free loopback port: a real HTTP server for
/// playlists and segments a test writes.
public final class StaticFileServer: @unchecked Sendable {
    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let process: Process

    /// Starts serving `folder`; returns once the server accepts connections. With `requestLog`,
    /// the server's log of every request it answers (one line each) goes to that file.
    public init(serving folder: URL, requestLog: URL? = nil) async throws {
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-u", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.path]
        process.standardOutput = FileHandle.nullDevice
        if let requestLog {
            FileManager.default.createFile(atPath: requestLog.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: requestLog)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !acceptsTCP(port: port) {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw SubprocessError(description: "python3 -m http.server did not listen on 127.0.0.1:\(port)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// `http://127.0.0.1:PORT/` plus `path`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Stops the server: SIGKILL, since a child of the test process may inherit SIGTERM blocked
    /// (as `stopRealTimeSender` does for ffmpeg).
    ///
    /// Waits for the exit by polling, at most 5 s: `Process.waitUntilExit()` blocks the calling
    /// thread (a thread of Swift's cooperative pool, in an async test) and, with many children
    /// starting and ending at once in the suite, can miss the exit and block for good.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(10_000) }
    }
}
