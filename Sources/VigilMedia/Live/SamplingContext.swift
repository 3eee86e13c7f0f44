import Foundation

/// What the sampling rules remember across the connections of one session: the timeline, the
/// last picture handed out, the interval slot. Confined to the session's thread.
final class SamplingContext {
    let policy: SamplingPolicy
    let counters: CounterStore
    var timeline: StreamTimeline
    /// Timeline time of the last picture sampled (handed out or dropped as a duplicate).
    var lastSampleTime: Double?
    /// Monotonic time at which it was sampled.
    var lastSampleWall: Double?
    /// Interval slot of the last sample, for interval and fallback sampling.
    var lastSlot: Int64?
    /// Thumbnail of the last picture handed out, and when that was (timeline time).
    var lastThumbnail: (thumbnail: Thumbnail, time: Double)?
    /// Pictures sampled so far, numbering frames when the frame rate is unknown.
    var sampledCount = 0
    /// Focus times still to sample, and where the consumer's requests for more arrive.
    var focus = FocusSchedule()
    let focusInbox: FocusInbox

    /// A still stream is still handed out this often, in seconds, however alike its pictures.
    static let duplicateRefresh = 30.0

    init(policy: SamplingPolicy, counters: CounterStore, isLive: Bool, focusInbox: FocusInbox = FocusInbox()) {
        self.policy = policy
        self.counters = counters
        self.focusInbox = focusInbox
        timeline = StreamTimeline(checksWallClock: isLive)
    }

    /// The interval slot `time` falls in: `floor(time / interval)`, nudged so a time that lands on
    /// a boundary in exact arithmetic (0.3 s with a 0.1 s interval divides to 2.9999999999999996)
    /// opens the new slot.
    static func slot(time: Double, interval: Double) -> Int64 {
        guard interval > 0, interval.isFinite, time.isFinite else { return 0 }
        let position = (time / interval + 1e-9).rounded(.down)
        return Int64(exactly: position) ?? (position < 0 ? Int64.min : Int64.max)
    }

    /// Whether `thumbnail`, at timeline time `time`, nearly repeats the last picture handed out
    /// (asked only when the policy drops near-duplicates).
    func isNearDuplicate(_ thumbnail: Thumbnail?, at time: Double) -> Bool {
        guard let thumbnail, let last = lastThumbnail,
              time - last.time < Self.duplicateRefresh, time >= last.time else { return false }
        return thumbnail.maxDifference(to: last.thumbnail) <= policy.nearDuplicateThreshold
    }
}
