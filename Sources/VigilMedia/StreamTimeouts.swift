/// How long a stream may keep a blocking call waiting, in seconds.
///
/// Each limit is enforced twice: as the protocol's own timeout option (where FFmpeg has one) and by
/// the interrupt callback, which aborts any blocking call when its deadline passes.
public struct StreamTimeouts: Sendable, Equatable, Codable {
    /// Connecting and reading the header (`avformat_open_input`).
    public var open: Double
    /// Analysing the streams (`avformat_find_stream_info`).
    public var probe: Double
    /// The stall watchdog: no video packet for this long means the source is stalled.
    public var stall: Double

    /// Creates limits in seconds.
    public init(open: Double, probe: Double, stall: Double) {
        self.open = open
        self.probe = probe
        self.stall = stall
    }

    /// Defaults per kind of source.
    ///
    /// HLS delivers a segment at a time and then waits up to a target duration (often 6 to 10 s)
    /// for the next one, so HTTP gets a longer stall limit than the push protocols, which send
    /// packets continuously. Files are given room for slow disks.
    public static func defaults(for kind: StreamSource.Kind) -> StreamTimeouts {
        switch kind {
        case .file, .pipe:
            return StreamTimeouts(open: 30, probe: 30, stall: 30)
        case .http, .https:
            return StreamTimeouts(open: 10, probe: 10, stall: 20)
        case .rtmp, .rtmps, .rtsp, .rtsps, .srt:
            return StreamTimeouts(open: 5, probe: 5, stall: 5)
        case .udp, .rtp:
            // Nothing to connect to: opening waits for the first datagrams.
            return StreamTimeouts(open: 5, probe: 5, stall: 5)
        }
    }
}
