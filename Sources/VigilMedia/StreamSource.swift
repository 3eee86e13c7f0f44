import Foundation

/// An input named by the user, parsed once: what kind of source it is, which protocols FFmpeg may
/// use to read it, and which FFmpeg options bound its network calls.
///
/// Anything with a `scheme://` prefix must be one of the supported schemes; everything else is a
/// local path. Paths are handed to FFmpeg as `file:` URLs, so a file name containing a colon can
/// never be mistaken for a protocol (`concat:`, `data:`, `subfile:`...).
public struct StreamSource: Sendable, Equatable, CustomStringConvertible {
    /// The supported kinds of source.
    public enum Kind: String, Sendable, CaseIterable {
        /// A local file (a plain path or a `file:` URL).
        case file
        /// `pipe:N`, an already open file descriptor.
        case pipe
        /// HTTP progressive download or HLS (`.m3u8`) over HTTP.
        case http
        /// The same over TLS.
        case https
        /// RTMP, as served by nginx-rtmp and most ingest servers.
        case rtmp
        /// RTMP over TLS.
        case rtmps
        /// RTSP, always read over TCP (interleaved) so no UDP ports are opened.
        case rtsp
        /// RTSP over TLS.
        case rtsps
        /// SRT in caller mode.
        case srt
        /// MPEG-TS over UDP, unicast or multicast.
        case udp
        /// MPEG-TS over RTP.
        case rtp
    }

    /// The input exactly as given; errors and frames name it this way.
    public let url: String
    /// What kind of source it is.
    public let kind: Kind
    /// Whether a network source is read as a whole recording (an upload served over HTTP, a
    /// finished HLS playlist) rather than as a live stream: read as fast as it decodes, in step
    /// with its consumer, never reconnected. Only HTTP and HTTPS sources can be on demand.
    public private(set) var isOnDemand = false

    /// Parses `url`.
    ///
    /// - Throws: ``MediaError/unsupportedSource(url:reason:)`` for an unknown scheme, an empty
    ///   input, or an SRT URL asking for listener or rendezvous mode.
    public init(_ url: String) throws(MediaError) {
        guard !url.isEmpty else { throw .unsupportedSource(url: url, reason: "empty input name") }
        self.url = url
        if let separator = url.range(of: "://") {
            let scheme = url[..<separator.lowerBound].lowercased()
            guard let kind = Kind(rawValue: scheme), kind != .pipe else {
                let supported = Kind.allCases.filter { $0 != .pipe }.map(\.rawValue).joined(separator: ", ")
                throw .unsupportedSource(url: url, reason: "unsupported scheme \(scheme) (supported: \(supported))")
            }
            self.kind = kind
        } else if url.lowercased().hasPrefix("file:") {
            kind = .file
        } else if url.lowercased().hasPrefix("pipe:") {
            kind = .pipe
        } else {
            kind = .file
        }
        if kind == .srt, let mode = Self.queryValue("mode", in: url), mode.lowercased() != "caller" {
            throw .unsupportedSource(url: url, reason: "SRT mode \(mode) is not supported; Vigil connects as caller")
        }
    }

    /// Whether the source is a live network stream rather than a file: network sources get
    /// deadlines tuned for streams, wall-clock checks on their timestamps, the key-frame gap
    /// fallback and reconnection.
    public var isLive: Bool {
        kind != .file && kind != .pipe && !isOnDemand
    }

    /// This source read as a recording (``isOnDemand``).
    ///
    /// - Throws: ``MediaError/unsupportedSource(url:reason:)`` for a kind that only streams live
    ///   (RTMP, RTSP, SRT, UDP, RTP): a recording is fetched over HTTP or read from a file.
    public func onDemand() throws(MediaError) -> StreamSource {
        switch kind {
        case .file, .pipe: return self
        case .http, .https:
            var copy = self
            copy.isOnDemand = true
            return copy
        case .rtmp, .rtmps, .rtsp, .rtsps, .srt, .udp, .rtp:
            throw .unsupportedSource(url: url, reason: "\(kind.rawValue) is a live protocol; a recording is read from a file or over HTTP(S)")
        }
    }

    /// The local path of a file source (a path, `file:PATH` or `file://PATH`); nil for others.
    public var filePath: String? {
        guard kind == .file else { return nil }
        let lowered = url.lowercased()
        if lowered.hasPrefix("file://") { return URL(string: url)?.path ?? String(url.dropFirst(7)) }
        if lowered.hasPrefix("file:") { return String(url.dropFirst(5)) }
        return url
    }

    /// What FFmpeg is asked to open. Paths become `file:` URLs.
    public var ffmpegURL: String {
        switch kind {
        case .file where !url.lowercased().hasPrefix("file:"):
            return "file:" + url
        default:
            return url
        }
    }

    /// The protocols FFmpeg may use for this source, and nothing else. An HLS playlist fetched over
    /// HTTP can therefore only reach further HTTP URLs (and AES keys through `crypto`): never
    /// `file:`, `data:`, `concat:` or a protocol the source did not ask for.
    public var allowedProtocols: Set<String> {
        switch kind {
        case .file: return ["file"]
        case .pipe: return ["pipe"]
        case .http: return ["http", "tcp", "crypto"]
        case .https: return ["https", "tls", "tcp", "crypto"]
        case .rtmp: return ["rtmp", "tcp"]
        case .rtmps: return ["rtmps", "tls", "tcp"]
        // The RTSP demuxer opens its control connection itself, as tcp:// (tls:// for rtsps).
        case .rtsp: return ["tcp"]
        case .rtsps: return ["tls", "tcp"]
        case .srt: return ["srt"]
        case .udp: return ["udp"]
        case .rtp: return ["rtp", "udp"]
        }
    }

    /// The container formats (FFmpeg demuxer names) accepted from this kind of source; nil for
    /// files, which are the operator's own and may be any container FFmpeg reads. A live source is
    /// someone else's bytes: each protocol gets the few containers it really carries, so a hostile
    /// stream cannot steer FFmpeg into one of its rarely used demuxers. An HTTP source also brings
    /// its HLS segments (MPEG-TS, fragmented MP4, audio renditions, subtitles) under the same list.
    public var allowedFormats: Set<String>? {
        switch kind {
        case .file, .pipe: return nil
        case .http, .https: return ["hls", "mpegts", "mov", "flv", "live_flv", "matroska", "aac", "mp3", "ac3", "eac3", "webvtt"]
        case .rtmp, .rtmps: return ["flv", "live_flv"]
        case .rtsp, .rtsps: return ["rtsp"]
        case .srt, .udp: return ["mpegts"]
        case .rtp: return ["rtp", "sdp", "mpegts"]
        }
    }

    /// The video codecs (FFmpeg decoder names) decoded from this kind of source; nil for files.
    /// Live sources get the codecs live video is sent in (and MJPEG, which cameras serve over
    /// RTSP); a stream that switches to anything else is refused, retried and reported, never
    /// handed to an unusual decoder.
    public var allowedVideoCodecs: Set<String>? {
        isLive ? ["h264", "hevc", "av1", "vp8", "vp9", "mpeg2video", "mpeg4", "mjpeg"] : nil
    }

    /// Whether the container FFmpeg detected, `formatName` (a demuxer's comma-separated names),
    /// is on the whitelist.
    func accepts(format formatName: String) -> Bool {
        guard let allowed = allowedFormats else { return true }
        return formatName.split(separator: ",").contains { allowed.contains(String($0)) }
    }

    /// FFmpeg options for opening this source: the whitelist, the protocol's own timeouts, and probing
    /// limits for live sources.
    ///
    /// FFmpeg 5.1 names and scales timeouts differently per protocol: `timeout` is the socket timeout
    /// in microseconds for TCP (and so HTTP), RTSP and UDP, but makes RTMP *listen* for a connection;
    /// SRT wants `connect_timeout` in milliseconds. `rw_timeout` (microseconds) is generic and is the
    /// one the HLS demuxer passes on to the segments it opens. These are a second line of defence:
    /// ``InputGuard`` deadlines bound every blocking call whatever the protocol does.
    func ffmpegOptions(timeouts: StreamTimeouts) -> [String: String] {
        var options = ["protocol_whitelist": allowedProtocols.sorted().joined(separator: ",")]
        let open = Self.microseconds(timeouts.open)
        let stall = Self.microseconds(timeouts.stall)
        switch kind {
        case .file, .pipe:
            return options
        case .http, .https:
            // Playlists open their segments through nested demuxers, which inherit this list
            // (other kinds have no nested demuxers: Vigil checks their one container itself).
            options["format_whitelist"] = allowedFormats?.sorted().joined(separator: ",")
            options["timeout"] = open
            options["rw_timeout"] = stall
            // The whitelist refuses file: (and anything but HTTP) for network sources. FFmpeg's
            // HLS extension filters would reject such a segment first, silently, and (in the 5.1
            // security updates) the whole playlist with it: one hostile entry would make the stream
            // unreadable to Vigil while ordinary players skip it. Letting the URL reach the guard
            // refuses that entry alone, and counts and reports it. What the filters also prevent,
            // a segment reaching other files or protocols, the whitelist and FFmpeg's refusal of
            // nested opens still prevent.
            options["allowed_extensions"] = "ALL"
            options["allowed_segment_extensions"] = "ALL"
            options["extension_picky"] = "0"
            // One connection per HLS stream. Prefetching the next segment on a second connection
            // buys nothing at the live edge, where that segment does not exist yet, and a server
            // that holds such requests until the segment is out (LL-HLS style) would stall the
            // reader on the prefetch while the current segment sits unread.
            options["http_multiple"] = "0"
        case .rtmp, .rtmps:
            options["rw_timeout"] = stall
            options["rtmp_live"] = "live"
        case .rtsp, .rtsps:
            options["rtsp_transport"] = "tcp"
            options["timeout"] = stall
        case .srt:
            options["mode"] = "caller"
            options["connect_timeout"] = String(Int((max(0.001, timeouts.open) * 1000).rounded()))
            options["rw_timeout"] = stall
        case .udp:
            options["timeout"] = stall
            // A burst the reader cannot absorb drops packets instead of ending the stream.
            options["overrun_nonfatal"] = "1"
        case .rtp:
            options["timeout"] = stall
        }
        // The MPEG-TS demuxer (HLS segments, UDP, SRT) keeps a read-back buffer for the stream's
        // life, sized by the probe size in force when it opens: the largest single part of a
        // stream's memory. The input opens with a small one (the demuxer keeps at least 72 KB);
        // probing the streams' parameters then gets ``probeBytes``.
        options["probesize"] = String(Self.openingProbeBytes)
        options["analyzeduration"] = Self.microseconds(max(1, min(5, timeouts.probe - 1)))
        return options
    }

    /// Bytes read at most while opening a live source: enough for a transport stream's program
    /// tables several times over.
    static let openingProbeBytes = 256_000

    /// Bytes read at most while probing a live source's streams, nil for files (FFmpeg's default).
    ///
    /// Probing ends as soon as the video's parameters are known, about a second into a stream that
    /// starts with a key frame. A live stream joined between key frames has no picture size until
    /// the next one: up to 2 MB (a 2 s GOP at 8 Mbit/s) is read, within the analysis time, so
    /// that such a join waits for the next key frame instead of failing and starting over after a
    /// backoff.
    var probeBytes: Int64? {
        switch kind {
        case .file, .pipe: nil
        default: 2_000_000
        }
    }

    /// Seconds as FFmpeg's microsecond option text.
    private static func microseconds(_ seconds: Double) -> String {
        String(Int64((max(0.001, min(seconds, 1e6)) * 1_000_000).rounded()))
    }

    /// The value of `key` in the URL's query, if present.
    private static func queryValue(_ key: String, in url: String) -> String? {
        guard let query = url.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first.map(String.init)?.lowercased() == key { return parts.count > 1 ? String(parts[1]) : "" }
        }
        return nil
    }

    /// The input as given.
    public var description: String { url }
}
