import Testing
@testable import VigilMedia

/// Parsing inputs into sources: schemes, whitelists and per-protocol FFmpeg options.
@Suite("Stream sources", .timeLimit(.minutes(3)))
struct StreamSourceTests {
    @Test("Paths are files, handed to FFmpeg as file: URLs so colons cannot name a protocol")
    func paths() throws {
        let plain = try StreamSource("/videos/clip.mp4")
        #expect(plain.kind == .file && !plain.isLive)
        #expect(plain.ffmpegURL == "file:/videos/clip.mp4")
        #expect(plain.allowedProtocols == ["file"])
        let colon = try StreamSource("concat:/etc/passwd|/etc/shadow")
        #expect(colon.kind == .file)
        #expect(colon.ffmpegURL == "file:concat:/etc/passwd|/etc/shadow")
        let explicit = try StreamSource("file:///videos/clip.mp4")
        #expect(explicit.kind == .file && explicit.ffmpegURL == "file:///videos/clip.mp4")
        #expect(try StreamSource("relative.mkv").ffmpegURL == "file:relative.mkv")
    }

    @Test("Each network scheme gets only the protocols it needs", arguments: [
        ("http://127.0.0.1/live.m3u8", StreamSource.Kind.http, ["crypto", "http", "tcp"]),
        ("HTTPS://example.test/a.ts", .https, ["crypto", "https", "tcp", "tls"]),
        ("rtmp://127.0.0.1/live/x", .rtmp, ["rtmp", "tcp"]),
        ("rtmps://127.0.0.1/live/x", .rtmps, ["rtmps", "tcp", "tls"]),
        ("rtsp://127.0.0.1/cam", .rtsp, ["tcp"]),
        ("srt://127.0.0.1:9000", .srt, ["srt"]),
        ("udp://127.0.0.1:1234", .udp, ["udp"]),
        ("rtp://127.0.0.1:1234", .rtp, ["rtp", "udp"]),
    ])
    func schemes(url: String, kind: StreamSource.Kind, protocols: [String]) throws {
        let source = try StreamSource(url)
        #expect(source.kind == kind)
        #expect(source.isLive)
        #expect(source.ffmpegURL == url)
        #expect(source.allowedProtocols.sorted() == protocols)
        let options = source.ffmpegOptions(timeouts: .defaults(for: kind))
        #expect(options["protocol_whitelist"] == protocols.joined(separator: ","))
        // Up to 5 s of analysis, a second less than the probe timeout: enough to wait for a key
        // frame of a stream joined between two.
        let analysis = kind == .http || kind == .https ? "5000000" : "4000000"
        #expect(options["probesize"] == "5000000" && options["analyzeduration"] == analysis)
        #expect(!source.allowedProtocols.contains("file"))
    }

    @Test("Unknown schemes, listener SRT and empty input are refused with a clear reason", arguments: [
        "gopher://example.test/", "concat://a|b", "data://x", "tcp://127.0.0.1:5", "pipe://0", "srt://127.0.0.1:9?mode=listener", "",
    ])
    func refused(url: String) {
        #expect {
            _ = try StreamSource(url)
        } throws: { error in
            guard let error = error as? MediaError, case .unsupportedSource(let named, let reason) = error else { return false }
            return named == url && !reason.isEmpty && error.description.hasPrefix("\(url): unsupported source (")
        }
    }

    @Test("Timeout options follow each protocol's name and unit")
    func timeoutOptions() throws {
        let timeouts = StreamTimeouts(open: 3, probe: 4, stall: 5)
        let rtmp = try StreamSource("rtmp://h/app/s").ffmpegOptions(timeouts: timeouts)
        // `timeout` would make FFmpeg's RTMP client listen instead of connect.
        #expect(rtmp["timeout"] == nil)
        #expect(rtmp["rw_timeout"] == "5000000" && rtmp["rtmp_live"] == "live")
        let rtsp = try StreamSource("rtsp://h/s").ffmpegOptions(timeouts: timeouts)
        #expect(rtsp["rtsp_transport"] == "tcp" && rtsp["timeout"] == "5000000")
        let srt = try StreamSource("srt://h:1?latency=200000").ffmpegOptions(timeouts: timeouts)
        #expect(srt["connect_timeout"] == "3000" && srt["mode"] == "caller")
        let http = try StreamSource("http://h/a.m3u8").ffmpegOptions(timeouts: timeouts)
        #expect(http["timeout"] == "3000000" && http["rw_timeout"] == "5000000")
        let udp = try StreamSource("udp://h:1").ffmpegOptions(timeouts: timeouts)
        #expect(udp["timeout"] == "5000000" && udp["overrun_nonfatal"] == "1")
        let file = try StreamSource("/a.mp4").ffmpegOptions(timeouts: timeouts)
        #expect(file == ["protocol_whitelist": "file"], "files keep FFmpeg's own probing")
    }

    @Test("MediaReader refuses unknown schemes before touching FFmpeg")
    func mediaReaderRefuses() {
        #expect(throws: MediaError.unsupportedSource(url: "gopher://x/", reason: "unsupported scheme gopher (supported: file, http, https, rtmp, rtmps, rtsp, rtsps, srt, udp, rtp)")) {
            _ = try MediaReader(url: "gopher://x/")
        }
    }

    @Test("Errors added for live sources are one line, name the input, and say whether to retry")
    func liveErrors() {
        let errors: [(MediaError, Bool)] = [
            (.unsupportedSource(url: "u", reason: "r"), false),
            (.timedOut(url: "u", operation: "opening", seconds: 1.5), true),
            (.stalled(url: "u", seconds: 5), true),
            // Content over a limit or without a decoder: a live source may change it, so it is retried.
            (.packetTooLarge(url: "u", bytes: 10, limit: 5), true),
            (.memoryLimitExceeded(url: "u", bytes: 10, limit: 5), true),
            (.openFailed(url: "u", reason: "refused"), true),
            (.dimensionsTooLarge(url: "u", width: 1, height: 1, limit: 0), true),
            (.unsupportedCodec(url: "u", codec: "c"), true),
            (.refusedInput(url: "u", refused: "file:///etc/passwd"), true),
            (.cancelled(url: "u"), false),
        ]
        for (error, transient) in errors {
            #expect(error.description.hasPrefix("u: ") && !error.description.contains("\n"))
            #expect(error.isTransient == transient, "\(error)")
        }
        #expect(MediaError.timedOut(url: "u", operation: "opening", seconds: 1.5).description == "u: timed out after 1.5 s while opening")
        #expect(MediaError.stalled(url: "u", seconds: 5).description == "u: stalled: no video data for 5 s")
    }
}
