import VigilMedia

/// What a stream session reports while it runs.
public enum FrameSourceEvent: Sendable {
    /// The session moved to another state; `detail` says why (an error, "end of file"...).
    case state(StreamRunState, detail: String?)
    /// A sampled, decoded frame.
    case frame(Frame)
    /// The session is about to reopen its source after it ended, failed or stalled.
    case reconnect(reason: String)
    /// No frame came for the stall timeout.
    case stall
    /// The decoder rejected this many more packets.
    case decodeErrors(Int)
    /// The reader dropped this many more frames because the pipeline was behind.
    case droppedFrames(Int)
}

/// The seam between the daemon and live ingest: one session per stream that keeps delivering frames
/// (reconnecting as it sees fit) until its task is cancelled.
///
/// The daemon runs ``SessionFrameSource`` (VigilMedia's `StreamSession`); the seam lets the API and
/// lifecycle be exercised with streams that need no media.
public protocol FrameSource: Sendable {
    /// Runs the session until the calling task is cancelled (or, for a file, until it ends),
    /// reporting through `emit`. `emit` returns quickly and never blocks: frames are queued for
    /// hashing or dropped.
    func run(_ emit: @escaping @Sendable (FrameSourceEvent) -> Void) async
}

/// Makes the session for a stream.
public protocol FrameSourceFactory: Sendable {
    /// A new session for `stream`; called once per start of the stream.
    func makeSource(for stream: StreamSpec) -> any FrameSource
}
