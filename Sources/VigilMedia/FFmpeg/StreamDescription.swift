/// A plain-value snapshot of one demuxed stream, so code outside this folder never touches
/// FFmpeg's structures.
struct StreamDescription: Sendable, Equatable {
    /// A rational number as FFmpeg stores time bases and rates.
    struct Rational: Sendable, Equatable {
        let numerator: Int32
        let denominator: Int32

        /// The value, or `nil` when it is zero, negative or undefined (FFmpeg's "unknown").
        var positiveValue: Double? {
            guard numerator > 0, denominator > 0 else { return nil }
            return Double(numerator) / Double(denominator)
        }
    }

    let index: Int
    let codecName: String
    let width: Int
    let height: Int
    let timeBase: Rational
    /// First presentation timestamp in `timeBase` units, when the demuxer knows it.
    let startTime: Int64?
    /// Duration in `timeBase` units, when the demuxer knows it.
    let duration: Int64?
    let averageFrameRate: Rational
    let baseFrameRate: Rational
    /// Frame count from the container header; 0 when unknown.
    let frameCount: Int64
}
