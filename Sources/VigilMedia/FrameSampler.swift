/// Decides which decoded frames a reader emits, and what index each one gets.
///
/// Pure bookkeeping, kept apart from decoding so the sampling rules can be tested on their own.
struct FrameSampler {
    let mode: SamplingMode
    /// Frames per second, used to turn key-frame timestamps into frame numbers.
    let frameRate: Double?
    /// Frames seen so far, emitted or not.
    private(set) var decodedCount = 0
    private var lastEmittedSlot: Int64?

    init(mode: SamplingMode, frameRate: Double?) {
        self.mode = mode
        self.frameRate = frameRate
    }

    /// Records one decoded frame and returns the index to emit it under, or `nil` to skip it.
    mutating func admit(ptsSeconds: Double) -> Int? {
        let ordinal = decodedCount
        decodedCount += 1
        switch mode {
        case .everyFrame:
            return ordinal
        case .keyframes:
            guard let frameRate, frameRate > 0 else { return ordinal }
            let estimate = (ptsSeconds * frameRate).rounded()
            return estimate.isFinite ? Int(exactly: estimate) ?? ordinal : ordinal
        case .interval(let seconds) where !(seconds > 0 && seconds.isFinite):
            // No usable spacing: every frame opens its own slot.
            return ordinal
        case .interval(let seconds):
            let slot = Self.slot(ptsSeconds: ptsSeconds, interval: seconds)
            if let lastEmittedSlot, slot <= lastEmittedSlot { return nil }
            lastEmittedSlot = slot
            return ordinal
        }
    }

    /// `floor(pts / interval)`, nudged so a timestamp that lands on a boundary in exact arithmetic
    /// (say 0.3 s with a 0.1 s interval, which divides to 2.9999999999999996) opens the new slot.
    static func slot(ptsSeconds: Double, interval: Double) -> Int64 {
        guard interval > 0, interval.isFinite, ptsSeconds.isFinite else { return 0 }
        let position = (ptsSeconds / interval + 1e-9).rounded(.down)
        return Int64(exactly: position) ?? (position < 0 ? Int64.min : Int64.max)
    }
}
