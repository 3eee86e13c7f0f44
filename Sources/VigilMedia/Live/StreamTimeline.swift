/// Maps the timestamps of every connection of a session onto one timeline that starts at 0 and
/// never goes backwards.
///
/// The rule: within a run of well-behaved timestamps, timeline time advances exactly as the
/// source's timestamps do. The first frame after a reconnect, and the frame after a discontinuity,
/// continue from the previous frame plus the wall-clock time elapsed since it was observed (live
/// sources) or plus one frame duration (files). A discontinuity is a timestamp that goes back by
/// more than `jitterTolerance` (a reset, a 33-bit MPEG-TS wrap, a restarted encoder, an HLS
/// `#EXT-X-DISCONTINUITY`) or, on live sources, that leaps ahead of the wall clock by more than
/// `jumpTolerance`. Smaller backward steps are clamped to the previous time. Frames without a
/// timestamp are placed like the first frame after a reconnect.
struct StreamTimeline {
    /// Whether forward jumps are judged against the wall clock (live sources only: files are read
    /// much faster than real time).
    let checksWallClock: Bool
    /// How far a timestamp may run ahead of the wall clock before it counts as a jump. Generous,
    /// because HLS clients legitimately fetch several segments in a burst when they join.
    var jumpTolerance: Double = 10
    /// Backward steps up to this size are treated as jitter and clamped, not as a reset.
    var jitterTolerance: Double = 0.5

    /// Discontinuities seen so far (reconnects not included).
    private(set) var discontinuities = 0
    /// `timeline = raw + offset` for the current run; `nil` until the next frame fixes it.
    private var offset: Double?
    private var last: (timeline: Double, wall: Double)?

    init(checksWallClock: Bool) {
        self.checksWallClock = checksWallClock
    }

    /// The time of the most recent frame placed, if any.
    var lastTime: Double? { last?.timeline }

    /// Starts a new run: the next frame continues from the last one whatever its timestamp.
    mutating func reconnected() {
        offset = nil
    }

    /// Places a frame whose source timestamp is `raw` seconds (`nil` if unknown), observed at
    /// monotonic time `wall`, and returns its timeline time.
    mutating func place(raw: Double?, wall: Double, frameDuration: Double?) -> Double {
        guard let previous = last else {
            offset = raw.map { -$0 }
            last = (0, wall)
            return 0
        }
        let continued = previous.timeline + continuationStep(from: previous.wall, to: wall, frameDuration: frameDuration)
        guard let raw, raw.isFinite else {
            return record(continued, wall: wall)
        }
        guard let currentOffset = offset else {
            offset = continued - raw
            return record(continued, wall: wall)
        }
        let candidate = raw + currentOffset
        if candidate < previous.timeline {
            if previous.timeline - candidate <= jitterTolerance {
                return record(previous.timeline, wall: wall)
            }
        } else if !checksWallClock || candidate - previous.timeline <= max(0, wall - previous.wall) + jumpTolerance {
            return record(candidate, wall: wall)
        }
        discontinuities += 1
        offset = continued - raw
        return record(continued, wall: wall)
    }

    private func continuationStep(from previousWall: Double, to wall: Double, frameDuration: Double?) -> Double {
        let frameStep = frameDuration.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? 0.001
        guard checksWallClock else { return frameStep }
        return max(wall - previousWall, frameStep)
    }

    private mutating func record(_ time: Double, wall: Double) -> Double {
        last = (time, wall)
        return time
    }
}
