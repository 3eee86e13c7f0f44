import Foundation
import VigilMedia

/// What a stream's source says about itself when asked: where it stands and what it has counted.
///
/// Status flows one way: the source publishes it, and the supervisor, the API and metrics read it
/// when they need it. Nothing is pushed as events or polled and added up again.
public struct SourceStatus: Sendable, Equatable, Codable {
    /// Where the source stands.
    public var state: StreamState
    /// Since when.
    public var since: Date
    /// Why, when the state has a reason (the error behind a backoff or a failure).
    public var detail: String?
    /// What the session has counted: reconnects, stalls, decode errors, frames dropped...
    public var counters: StreamCounters
    /// The latest error the source ran into, even when its state has moved on since (a
    /// reconnect clears ``detail``, not this).
    public var lastFault: SourceFault?

    /// Creates a status.
    public init(
        state: StreamState, since: Date = Date(), detail: String? = nil, counters: StreamCounters = StreamCounters(),
        lastFault: SourceFault? = nil
    ) {
        self.state = state
        self.since = since
        self.detail = detail
        self.counters = counters
        self.lastFault = lastFault
    }
}

/// The seam between the daemon and live ingest: one source per stream that keeps delivering frames
/// (reconnecting as it sees fit) until its task is cancelled.
///
/// The daemon runs ``SessionFrameSource`` (VigilMedia's `StreamSession`); the seam lets the API and
/// lifecycle be exercised with streams that need no media.
public protocol FrameSource: Sendable {
    /// Runs until the calling task is cancelled (or, for a file, until it ends), handing each
    /// sampled frame to `emit`. `emit` returns quickly and never blocks: frames are queued for
    /// hashing or dropped.
    func run(_ emit: @escaping @Sendable (Frame) -> Void) async

    /// The source's state and counters now.
    var status: SourceStatus { get }

    /// How samples of this source talk back to it (focus, acknowledgement); `nil` when it does not
    /// listen. A source with feedback may wait, after handing out a frame, until its
    /// `acknowledge()` is called: whoever takes its frames calls it once per frame, when done with
    /// it (the hashing pool does, after the frame is judged or dropped).
    var feedback: SampleFeedback? { get }
}

extension FrameSource {
    /// Sources that do not listen have no feedback.
    public var feedback: SampleFeedback? { nil }
}

/// Makes the source for a stream.
public protocol FrameSourceFactory: Sendable {
    /// A new source for `stream`; called once per start of the stream.
    func makeSource(for stream: StreamSpec) -> any FrameSource
}
