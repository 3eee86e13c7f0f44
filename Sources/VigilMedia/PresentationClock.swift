/// Turns stream timestamps into seconds from the start of the stream.
struct PresentationClock {
    let timeBase: StreamDescription.Rational
    /// Fills in for frames without a timestamp: their position divided by the rate.
    let frameRate: Double?
    /// The stream's declared start, else the first timestamp seen.
    private var origin: Int64?

    init(timeBase: StreamDescription.Rational, startTime: Int64?, frameRate: Double?) {
        self.timeBase = timeBase
        self.frameRate = frameRate
        origin = startTime
    }

    /// Seconds since the start for a frame with timestamp `pts`, the `ordinal`-th decoded frame.
    ///
    /// A frame without a timestamp is placed at `ordinal / frameRate`, or at 0 when the rate is
    /// unknown too.
    mutating func seconds(pts: Int64?, ordinal: Int) -> Double {
        guard let pts, timeBase.numerator > 0, timeBase.denominator > 0 else {
            guard let frameRate, frameRate > 0 else { return 0 }
            return Double(ordinal) / frameRate
        }
        let start = origin ?? pts
        origin = start
        let (ticks, overflow) = pts.subtractingReportingOverflow(start)
        guard !overflow else { return 0 }
        return Double(ticks) * Double(timeBase.numerator) / Double(timeBase.denominator)
    }
}
