import Foundation

/// nginx serving a folder over HTTP on loopback, as a platform's storage serves uploads: with
/// range requests, which a player (and FFmpeg) needs to read an MP4 whose index sits at its end.
public struct NginxFileServer: Sendable {
    public let process: ChildProcess
    public let port: Int

    /// Starts nginx serving `folder`, with its own files under `directory`.
    public static func start(serving folder: URL, in directory: URL) async throws -> NginxFileServer {
        let port = try freeLoopbackPort()
        let root = directory.appendingPathComponent("nginx-files-\(port)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // The http block's temp paths default to /var/lib/nginx, which the tests must not touch.
        let config = """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(root.path)/nginx.pid;
            error_log \(root.path)/error.log info;
            events { worker_connections 128; }
            http {
                access_log off;
                client_body_temp_path \(root.path)/client;
                proxy_temp_path \(root.path)/proxy;
                fastcgi_temp_path \(root.path)/fastcgi;
                uwsgi_temp_path \(root.path)/uwsgi;
                scgi_temp_path \(root.path)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    root \(folder.path);
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

    /// The URL of `path` under the folder.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    public func stop() {
        process.stop()
    }
}
