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

    /// A still stream is still handed out this often, in seconds, however alike its pictures.
    static let duplicateRefresh = 30.0

    init(policy: SamplingPolicy, counters: CounterStore, isLive: Bool) {
        self.policy = policy
        self.counters = counters
        timeline = StreamTimeline(checksWallClock: isLive)
    }

    /// Whether `thumbnail`, at timeline time `time`, nearly repeats the last picture handed out.
    func isNearDuplicate(_ thumbnail: Thumbnail?, at time: Double) -> Bool {
        guard policy.dropNearDuplicates, let thumbnail, let last = lastThumbnail,
              time - last.time < Self.duplicateRefresh, time >= last.time else { return false }
        return thumbnail.maxDifference(to: last.thumbnail) <= policy.nearDuplicateThreshold
    }
}
