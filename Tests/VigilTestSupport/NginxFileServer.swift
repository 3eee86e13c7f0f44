import Foundation

/// nginx serving a folder over HTTP on loopback, as a platform's storage serves uploads: with
/// range requests, which a player (and FFmpeg) needs to read an MP4 whose index sits at its end.
public struct NginxFileServer: Sendable {
    public let process: ChildProcess
    public let port: Int

    /// Starts nginx serving `folder`, with its own files under `directory`; `bytesPerSecond`
    /// slows every answer to that rate (a source that trickles).
    public static func start(serving folder: URL, in directory: URL, bytesPerSecond: Int? = nil) async throws -> NginxFileServer {
        let port = try freeLoopbackPort()
        let root = directory.appendingPathComponent("nginx-files-\(port)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(root.path)/nginx.pid;
            error_log \(root.path)/error.log info;
            events { worker_connections 128; }
            http {
                access_log off;
                \(httpTemporaryPaths(under: root.path))
                server {
                    listen 127.0.0.1:\(port);
                    root \(folder.path);
                    \(bytesPerSecond.map { "limit_rate \($0);" } ?? "")
                }
            }
            """
        let configURL = root.appendingPathComponent("nginx.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let process = try ChildProcess("nginx-files", "/usr/sbin/nginx", ["-p", root.path, "-c", configURL.path], directory: root)
        guard await waitForTCP(port: port, within: 10) else {
            throw SetupError("nginx did not listen on \(port): \(process.log)")
        }
        return NginxFileServer(process: process, port: port)
    }

    /// nginx's http temporary folders, under `root`: they default to /var/lib/nginx, which the
    /// tests must not touch.
    static func httpTemporaryPaths(under root: String) -> String {
        ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map { "\($0)_temp_path \(root)/\($0 == "client_body" ? "client" : $0);" }
            .joined(separator: " ")
    }

    /// The URL of `path` under the folder.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    public func stop() {
        process.stop()
    }
}
