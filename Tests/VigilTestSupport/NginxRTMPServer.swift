import Foundation

/// nginx with Debian's RTMP module, configured in a folder of its own (pid, logs and temp paths
/// there, one process, no daemon), listening on free loopback ports: publish to and play from
/// `rtmp://127.0.0.1:rtmpPort/live/NAME`; the module's statistics page (`rtmp_stat all`, the XML
/// that media-server discovery reads) is at `http://127.0.0.1:httpPort/stat`.
public struct NginxRTMPServer: Sendable {
    /// The nginx process; stopping it (or dropping the last reference) kills it.
    public let process: ChildProcess
    /// The RTMP port.
    public let rtmpPort: Int
    /// The HTTP port serving `/stat`.
    public let httpPort: Int

    /// Starts nginx under `directory`, answering once both ports accept connections.
    public static func start(in directory: URL) async throws -> NginxRTMPServer {
        let rtmpPort = try freeLoopbackPort()
        let httpPort = try freeLoopbackPort()
        let root = directory.appendingPathComponent("nginx-\(rtmpPort)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let temp = root.path
        let config = """
            load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(root.path)/nginx.pid;
            error_log \(root.path)/error.log info;
            events { worker_connections 128; }
            rtmp {
                server {
                    listen 127.0.0.1:\(rtmpPort);
                    application live { live on; record off; }
                }
            }
            http {
                access_log off;
                \(NginxFileServer.httpTemporaryPaths(under: temp))
                server {
                    listen 127.0.0.1:\(httpPort);
                    location /stat { rtmp_stat all; }
                }
            }
            """
        let configURL = root.appendingPathComponent("nginx.conf")
        try config.write(to: configURL, atomically: true, encoding: .utf8)
        let process = try ChildProcess("nginx", "/usr/sbin/nginx", ["-p", root.path, "-c", configURL.path], directory: root)
        guard await waitForTCP(port: rtmpPort, within: 10), await waitForTCP(port: httpPort, within: 5) else {
            throw SetupError("nginx did not listen on \(rtmpPort) and \(httpPort): \(process.log)")
        }
        return NginxRTMPServer(process: process, rtmpPort: rtmpPort, httpPort: httpPort)
    }
}
