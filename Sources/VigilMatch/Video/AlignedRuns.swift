/// Runs of query frames that follow a known video in its own order and pace: the temporal
/// alignment of the video rule (``VideoMatchRule/alignedFrames``).
///
/// Each query frame comes with the times of the known frames it is near (its *hits*). A run is a
/// chain of hits, one per query frame, whose known times rise as the query's times rise, at a
/// speed between ``Tolerance/minSpeed`` and ``Tolerance/maxSpeed`` give or take
/// ``Tolerance/slack`` seconds. The slack covers a bank of one hash a second (a query frame is
/// up to half a second from the nearest known frame, on either side) and frame-rate changes; the
/// speed range covers speed-ups such as 1.25x and slow motion. Known times must strictly rise,
/// so one known frame never counts twice.
///
/// A pure value: ``VideoMatchRule`` feeds it a whole query at once, the detection path one frame
/// at a time, and both get the same runs.
public struct AlignedRuns: Sendable {
    /// How far a run may stray from the known video's own pace.
    public struct Tolerance: Sendable, Hashable {
        /// Slowest query speed, in known seconds per query second.
        public var minSpeed: Double
        /// Fastest query speed, in known seconds per query second.
        public var maxSpeed: Double
        /// Seconds either way that a hit's known time may be off.
        public var slack: Double
        /// Longest query gap, in seconds, between two frames of a run: beyond it, agreement in
        /// time is no longer evidence.
        public var maxGap: Double

        /// Creates a tolerance; the defaults allow half to double speed, one second of slack and
        /// gaps of up to 10 s.
        public init(minSpeed: Double = 0.5, maxSpeed: Double = 2, slack: Double = 1, maxGap: Double = 10) {
            self.minSpeed = minSpeed
            self.maxSpeed = maxSpeed
            self.slack = slack
            self.maxGap = maxGap
        }

        /// Whether a hit at (`time`, `knownTime`) can follow one at (`earlierTime`, `earlierKnownTime`).
        func follows(time: Double, knownTime: Double, earlierTime: Double, earlierKnownTime: Double) -> Bool {
            let queryStep = time - earlierTime
            let knownStep = knownTime - earlierKnownTime
            return queryStep > 0 && queryStep <= maxGap && knownStep > 0
                && knownStep >= minSpeed * queryStep - slack && knownStep <= maxSpeed * queryStep + slack
        }
    }

    private struct Hit: Sendable {
        var time: Double
        var knownTime: Double
        var run: Int
    }

    /// Most known times weighed per query frame, nearest first: a static scene is near many.
    public static let hitsPerFrame = 8
    /// Hits kept to extend runs from; older ones fall out of reach by ``Tolerance/maxGap`` anyway.
    static let keptHits = 1024

    /// The tolerance in force.
    public let tolerance: Tolerance
    private var hits: [Hit] = []
    /// The longest run so far.
    public private(set) var longest = 0

    /// Starts with no frames.
    public init(tolerance: Tolerance = Tolerance()) {
        self.tolerance = tolerance
    }

    /// The longest run that a query frame at `time` near known frames at `knownTimes` would end,
    /// without adding it (0 when `knownTimes` is empty).
    public func run(endingAt time: Double, knownTimes: some Sequence<Double>) -> Int {
        knownTimes.prefix(Self.hitsPerFrame).reduce(0) { longest, knownTime in
            max(longest, run(endingAt: time, knownTime: knownTime))
        }
    }

    /// Adds a query frame at `time` (not earlier than the frames before it) near known frames
    /// at `knownTimes`, nearest first.
    public mutating func add(time: Double, knownTimes: some Sequence<Double>) {
        let new = knownTimes.prefix(Self.hitsPerFrame).map { Hit(time: time, knownTime: $0, run: run(endingAt: time, knownTime: $0)) }
        guard !new.isEmpty else { return }
        longest = max(longest, new.map(\.run).max() ?? 0)
        hits.removeAll { time - $0.time > tolerance.maxGap }
        hits += new
        if hits.count > Self.keptHits { hits.removeFirst(hits.count - Self.keptHits) }
    }

    private func run(endingAt time: Double, knownTime: Double) -> Int {
        var best = 0
        for hit in hits where hit.run > best
            && tolerance.follows(time: time, knownTime: knownTime, earlierTime: hit.time, earlierKnownTime: hit.knownTime) {
            best = hit.run
        }
        return best + 1
    }
}
