import Foundation
import VigilTestSupport

/// Real servers and feeders for the live tests, all bound to 127.0.0.1 and owned by the test that
/// starts them. Debian's Python is used (`/usr/bin/python3`): it is the one with GStreamer bindings.
enum LiveServers {
    static let python = "/usr/bin/python3"

    /// `python3 -m http.server` serving `folder` on a free loopback port.
    static func httpFolder(_ folder: URL, logDirectory: URL) async throws -> (server: ChildProcess, port: Int) {
        let port = try freeLoopbackPort()
        let server = try ChildProcess(
            "http", python, ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.path],
            directory: logDirectory
        )
        guard await waitForTCP(port: port, within: 10) else {
            throw SetupError("http.server did not listen on \(port): \(server.log)")
        }
        return (server, port)
    }

    /// Misbehaving TCP servers, see ``misbehavingServerScript``.
    enum Misbehaviour: String {
        /// Accepts connections and never sends a byte.
        case silent
        /// Answers every request with an HTTP 200 header and then random bytes, forever.
        case httpGarbage = "http-garbage"
        /// Sends random bytes straight away, no HTTP at all.
        case rawGarbage = "raw-garbage"
        /// Sends an HTTP 200 header and the given data, then holds the connection open in silence.
        case httpStall = "http-stall"
    }

    /// Starts a misbehaving server; returns it, its port, and a file counting its connections.
    static func misbehaving(
        _ behaviour: Misbehaviour, payload: URL? = nil, in directory: URL
    ) async throws -> (server: ChildProcess, port: Int, connections: URL) {
        let tag = UUID().uuidString.prefix(8)
        let portFile = directory.appendingPathComponent("port-\(tag)")
        let connections = directory.appendingPathComponent("connections-\(tag)")
        let server = try ChildProcess(
            "misbehaving-\(behaviour.rawValue)", python,
            ["-c", misbehavingServerScript, behaviour.rawValue, portFile.path, connections.path, payload?.path ?? ""],
            directory: directory
        )
        let port = try await readPort(from: portFile, within: 10)
        return (server, port, connections)
    }

    /// Connections a misbehaving server accepted so far.
    static func connectionCount(_ file: URL) -> Int {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").filter { $0 == "." }.count
    }

    /// An RTSP server from Debian's packages: GStreamer's gst-rtsp-server (through its Python
    /// bindings) serving a live 320x240 H.264 test pattern, TCP transport only, at
    /// `rtsp://127.0.0.1:PORT/live`.
    static func rtsp(in directory: URL) async throws -> (server: ChildProcess, port: Int) {
        let portFile = directory.appendingPathComponent("rtsp-port-\(UUID().uuidString.prefix(8))")
        let server = try ChildProcess("rtsp", python, ["-c", rtspServerScript, portFile.path], directory: directory)
        let port = try await readPort(from: portFile, within: 15)
        return (server, port)
    }

    /// `ffmpeg -re` sending `clip` to `output` in real time, looping, without re-encoding.
    static func feed(_ clip: String, format: String, to output: String, in directory: URL, loop: Bool = true) throws -> ChildProcess {
        var arguments = ["-nostdin", "-v", "error", "-re"]
        if loop { arguments += ["-stream_loop", "-1"] }
        arguments += ["-i", clip, "-c", "copy", "-f", format, output]
        return try ChildProcess("ffmpeg-\(format)", "/usr/bin/ffmpeg", arguments, directory: directory)
    }

    /// `ffmpeg -re` writing a live HLS playlist (`live.m3u8`, 1 s segments, 6 in the list, old ones
    /// deleted) into `folder` from `clip`, looping.
    static func hlsWriter(_ clip: String, into folder: URL, logDirectory: URL) throws -> ChildProcess {
        try ChildProcess("ffmpeg-hls", "/usr/bin/ffmpeg", [
            "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy",
            "-f", "hls", "-hls_time", "1", "-hls_list_size", "6", "-hls_flags", "delete_segments",
            folder.appendingPathComponent("live.m3u8").path,
        ], directory: logDirectory)
    }

    private static let misbehavingServerScript = #"""
    import os, socket, sys, threading, time
    mode, port_file, count_file, payload = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    data = open(payload, 'rb').read() if payload else b''
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    with open(port_file + '.tmp', 'w') as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(port_file + '.tmp', port_file)
    header = b'HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nConnection: close\r\n\r\n'
    def serve(connection):
        try:
            if mode == 'silent':
                time.sleep(300)
            elif mode in ('http-garbage', 'raw-garbage'):
                if mode == 'http-garbage':
                    connection.recv(4096)
                    connection.sendall(header)
                for _ in range(6000):
                    connection.sendall(os.urandom(32768))
                    time.sleep(0.02)
            elif mode == 'http-stall':
                connection.recv(4096)
                connection.sendall(header + data)
                time.sleep(300)
        except OSError:
            pass
        finally:
            connection.close()
    while True:
        connection, _ = listener.accept()
        with open(count_file, 'a') as f:
            f.write('.')
        threading.Thread(target=serve, args=(connection,), daemon=True).start()
    """#

    private static let rtspServerScript = #"""
    import os, sys, gi
    gi.require_version('Gst', '1.0')
    gi.require_version('GstRtsp', '1.0')
    gi.require_version('GstRtspServer', '1.0')
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address('127.0.0.1')
    server.set_service('0')
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch('( videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=25/1 '
                       '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 '
                       '! rtph264pay name=pay0 pt=96 config-interval=1 )')
    factory.set_shared(True)
    factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    server.get_mount_points().add_factory('/live', factory)
    server.attach(None)
    port_file = sys.argv[1]
    with open(port_file + '.tmp', 'w') as f:
        f.write(str(server.get_bound_port()))
    os.rename(port_file + '.tmp', port_file)
    GLib.MainLoop().run()
    """#
}
