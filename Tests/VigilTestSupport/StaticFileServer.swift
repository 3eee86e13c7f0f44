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

    /// Starts serving `folder`; returns once the server accepts connections.
    public init(serving folder: URL) async throws {
        port = try freeLoopbackPort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
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
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
