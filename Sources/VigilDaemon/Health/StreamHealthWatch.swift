import Foundation
import VigilMedia

/// Whether one stream can be sampled: a pure state machine the daemon checks about once a second.
///
/// A stream is **unwatchable** once no picture has been sampled for `unwatchableAfter` seconds
/// while its source kept answering with something Vigil cannot sample: its latest error says so
/// (``MediaError/meansSourceAnswered``), or pictures or packets were skipped over the size limits
/// or failed to decode. A source that cannot be reached or has ended is a stream that is off, not one that
/// evades watching, and raises nothing. The first sample afterwards makes it **recovered**.
/// Each transition is reported once.
struct StreamHealthWatch: Sendable {
    /// What a check reports.
    enum Transition: Equatable, Sendable {
        /// No picture sampled since `since`; `reason` is the latest fault.
        case unwatchable(since: Date, reason: String)
        /// A picture was sampled at `at` after a spell reported unwatchable for `reason`.
        case recovered(at: Date, reason: String)
    }

    /// What the daemon sees of the stream at a check.
    struct Observation: Equatable, Sendable {
        /// When the stream's last frame was handed in for hashing.
        var lastFrameAt: Date?
        /// The source's latest error.
        var lastFault: SourceFault?
        /// The source's counters.
        var counters: StreamCounters
    }

    /// Seconds without a sample, while the source answers, before the stream is reported.
    let unwatchableAfter: Double
    /// The last sample, or when watching began.
    private(set) var lastSampleAt: Date
    /// Counters at the last sample: growth since says packets are being skipped or rejected.
    private var countersAtSample = StreamCounters()
    /// Set while an unwatchable spell has been reported, with its reason.
    private(set) var reported: String?

    /// Starts watching at `start`.
    init(unwatchableAfter: Double, start: Date) {
        self.unwatchableAfter = unwatchableAfter
        lastSampleAt = start
    }

    /// Whether an unwatchable spell has been reported and not yet recovered.
    var isUnwatchable: Bool { reported != nil }

    /// Takes what the daemon sees now; returns a transition to report, if any.
    mutating func check(_ observation: Observation, now: Date) -> Transition? {
        let counters = observation.counters
        let sampled = observation.lastFrameAt.map { $0 > lastSampleAt } ?? false
        // A near-duplicate was decoded and compared: the stream is watched, just unchanging.
        let compared = counters.nearDuplicatesDropped > countersAtSample.nearDuplicatesDropped
        if sampled || compared {
            lastSampleAt = sampled ? observation.lastFrameAt! : now
            countersAtSample = counters
            guard let reason = reported else { return nil }
            reported = nil
            return .recovered(at: lastSampleAt, reason: reason)
        }
        guard reported == nil, now.timeIntervalSince(lastSampleAt) >= unwatchableAfter,
              let reason = reasonSinceSample(observation)
        else { return nil }
        reported = reason
        return .unwatchable(since: lastSampleAt, reason: reason)
    }

    /// Why the source, still answering, yielded nothing to sample since the last sample; nil
    /// when nothing says it answered.
    private func reasonSinceSample(_ observation: Observation) -> String? {
        if let fault = observation.lastFault, fault.at > lastSampleAt {
            // The latest word is the source's own: gone means off, not evading.
            return fault.error.meansSourceAnswered ? fault.error.problem : nil
        }
        let counters = observation.counters
        let pictures = counters.oversizedPictures - countersAtSample.oversizedPictures
        if pictures > 0 { return "\(pictures) picture(s) over the size limits skipped, no picture sampled" }
        let skipped = counters.oversizedPackets - countersAtSample.oversizedPackets
        if skipped > 0 { return "\(skipped) packet(s) over the size limit skipped, no picture sampled" }
        let rejected = counters.decodeErrors - countersAtSample.decodeErrors
        if rejected > 0 { return "\(rejected) packet(s) the decoder rejected, no picture sampled" }
        return nil
    }
}
