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
        #expect(options["analyzeduration"] == analysis)
        // A small probe while opening (the transport stream's read-back buffer is that size), a
        // larger one for the streams' parameters.
        #expect(options["probesize"] == "256000" && source.probeBytes == 2_000_000)
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
            // The message names the input as everything outside the reader does: credentials masked.
            return named == url && !reason.isEmpty && error.description.hasPrefix("\(RedactedURL(url)): unsupported source (")
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

    @Test("Live sources accept only the containers their protocol carries and the codecs live video is sent in; files are not limited")
    func whitelists() throws {
        let udp = try StreamSource("udp://127.0.0.1:5000")
        #expect(udp.accepts(format: "mpegts"))
        #expect(!udp.accepts(format: "flv"))
        #expect(!udp.accepts(format: "avi"))
        let rtmp = try StreamSource("rtmp://h/app/s")
        #expect(rtmp.accepts(format: "flv") && !rtmp.accepts(format: "mpegts"))
        // FFmpeg names a demuxer by several comma-separated names; one on the list is enough.
        #expect(try StreamSource("https://h/v.mp4").accepts(format: "mov,mp4,m4a,3gp,3g2,mj2"))
        #expect(try !StreamSource("https://h/v").accepts(format: "image2"))
        #expect(try StreamSource("rtsp://h/s").allowedFormats == ["rtsp"])
        for url in ["srt://h:9000", "rtmp://h/a/s", "http://h/l.m3u8", "rtsp://h/s"] {
            let codecs = try #require(try StreamSource(url).allowedVideoCodecs)
            #expect(codecs.isSuperset(of: ["h264", "hevc", "av1", "vp9"]), "\(url)")
            #expect(!codecs.contains("mpeg1video") && !codecs.contains("prores") && !codecs.contains("ffv1"), "\(url)")
        }
        let file = try StreamSource("/videos/clip.avi")
        #expect(file.allowedFormats == nil && file.allowedVideoCodecs == nil && file.accepts(format: "avi"))
        // HLS segments are opened by nested demuxers, which FFmpeg holds to format_whitelist.
        let http = try StreamSource("https://h/live.m3u8").ffmpegOptions(timeouts: .defaults(for: .https))
        #expect(http["format_whitelist"]?.split(separator: ",").contains("hls") == true)
        #expect(udp.ffmpegOptions(timeouts: .defaults(for: .udp))["format_whitelist"] == nil)
    }

    @Test("Errors say whether the source answered with something Vigil cannot sample, or is simply not there")
    func sourceAnswered() {
        let url = "udp://127.0.0.1:5000"
        let answered: [MediaError] = [
            .unsupportedCodec(url: url, codec: "mpeg1video"), .dimensionsTooLarge(url: url, width: 8200, height: 64, limit: 8192),
            .unsupportedFormat(url: url, format: "flv", kind: "udp"), .packetTooLarge(url: url, bytes: 9, limit: 8),
            .stalled(url: url, seconds: 3), .openFailed(url: url, reason: "Invalid data found when processing input"),
            .refusedInput(url: url, refused: "file:///etc/passwd"), .noVideoStream(url: url),
        ]
        let absent: [MediaError] = [
            .openFailed(url: url, reason: "Connection refused"), .timedOut(url: url, operation: "opening", seconds: 5),
            .readFailed(url: url, reason: "End of file"), .cancelled(url: url),
        ]
        #expect(answered.allSatisfy { $0.meansSourceAnswered })
        #expect(!absent.contains { $0.meansSourceAnswered })
        #expect(answered.allSatisfy { !$0.problem.contains(url) && $0.description.contains(url) })
        #expect(MediaError.unsupportedFormat(url: url, format: "flv", kind: "udp").isTransient)
    }

    @Test("On demand, HTTP(S) sources are recordings, files stay files, live protocols are refused")
    func onDemand() throws {
        let http = try StreamSource("http://127.0.0.1/upload.mp4").onDemand()
        #expect(http.isOnDemand && !http.isLive && http.kind == .http)
        #expect(http.allowedProtocols == (try StreamSource("http://127.0.0.1/upload.mp4")).allowedProtocols)
        #expect(try !StreamSource("https://cdn.test/v.mp4").onDemand().isLive)
        #expect(try !StreamSource("/srv/a.mp4").onDemand().isLive)
        for url in ["rtmp://127.0.0.1/live/x", "rtsp://127.0.0.1/x", "srt://127.0.0.1:9000", "udp://127.0.0.1:5000"] {
            #expect(throws: MediaError.self) { try StreamSource(url).onDemand() }
        }
    }
}
