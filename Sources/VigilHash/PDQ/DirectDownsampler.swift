/// PDQ's blur and decimation to 64x64 computed as one weighted sum per output, only where
/// decimation samples: the reference's filter up to float rounding, at a fraction of the cost.
///
/// The reference blurs with two passes of a box filter along rows and along columns, each output the
/// mean of the samples inside its (edge-clipped) window, and then keeps 64x64 of the results. Those
/// passes are linear and separable, so every kept value is a fixed weighted sum of the pixels under
/// it: per axis, a tent of about twice the window. The weights depend only on the picture's size and
/// are kept for the next picture of that size. Rows are weighted into the 64 kept rows first (whole
/// rows at a time, so the work vectorises along the row), then each kept row into its 64 columns.
/// Every pixel is read once and takes part in one or two multiply-adds, where the running sums write
/// and re-read a full-size float picture four times.
///
/// The sums run in a different order than the reference's running sums, so results differ from it
/// in the last bits of some values, and a coefficient that sits on the median can flip its bit.
/// That is why ``PDQDownsampling/exact`` stays the default: hashes compared with Meta's tools are
/// made with it.
struct DirectDownsampler {
    /// Per-axis weights for the last size seen.
    private var rowWeights = TentWeights()
    private var columnWeights = TentWeights()
    /// One picture row of luma, as floats.
    private var lumaRow: [Float] = []
    /// The 64 kept rows after weighting along columns, `64 × width` floats.
    private var keptRows: [Float] = []

    /// Writes the 64x64 downsample (row-major) of `source` into `output`.
    mutating func downsample<Source: LumaSource>(_ source: Source, into output: UnsafeMutablePointer<Float>) {
        let width = source.width
        let height = source.height
        columnWeights.prepare(length: width)
        rowWeights.prepare(length: height)
        if lumaRow.count < width { lumaRow = [Float](repeating: 0, count: width) }
        if keptRows.count < 64 * width { keptRows = [Float](repeating: 0, count: 64 * width) }

        let rows = rowWeights
        let columns = columnWeights
        lumaRow.withUnsafeMutableBufferPointer { line in
            keptRows.withUnsafeMutableBufferPointer { kept in
                let line = line.baseAddress!
                let kept = kept.baseAddress!
                kept.update(repeating: 0, count: 64 * width)
                // Each picture row adds into the kept rows whose tent covers it: one or two.
                // Grey rows are weighted straight from their bytes; others through floats.
                let grey = source as? GreyLumaSource
                var firstOutput = 0
                for y in 0..<height {
                    while firstOutput < 64, rows.end(of: firstOutput) <= y { firstOutput += 1 }
                    if grey == nil { source.lumaRow(y, into: line, stride: 1) }
                    var outputRow = firstOutput
                    while outputRow < 64, rows.start(of: outputRow) <= y {
                        let weight = rows.weight(of: y, in: outputRow)
                        if let grey {
                            Self.addScaled(grey.image.base + y * grey.image.bytesPerRow, weight, into: kept + outputRow * width, count: width)
                        } else {
                            Self.addScaled(line, weight, into: kept + outputRow * width, count: width)
                        }
                        outputRow += 1
                    }
                }
                for outputRow in 0..<64 {
                    let keptRow = kept + outputRow * width
                    for outputColumn in 0..<64 {
                        output[outputRow * 64 + outputColumn] = columns.weightedSum(keptRow, output: outputColumn)
                    }
                }
            }
        }
    }

    /// `target[i] += weight * source[i]` over `count` bytes. A plain loop: the compiler
    /// vectorises it, where SIMD16's integer-to-float initialiser stays a generic call.
    @inline(__always)
    private static func addScaled(
        _ source: UnsafePointer<UInt8>, _ weight: Float, into target: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            target[i] += weight * Float(source[i])
        }
    }

    /// `target[i] += weight * source[i]` over `count` floats.
    @inline(__always)
    private static func addScaled(
        _ source: UnsafePointer<Float>, _ weight: Float, into target: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            target[i] += weight * source[i]
        }
    }
}

/// The weights, along one axis of `length` samples, that turn the samples into PDQ's 64 decimated
/// outputs of two box-filter passes.
///
/// Output `k` is the second pass's value at decimation index `p`: the mean, over the first pass's
/// outputs `o` in the window around `p`, of the mean of the samples in the window around `o`. So
/// sample `j` weighs the sum, over those `o` whose window holds `j`, of `1 / (count(o) · count(p))`,
/// windows clipped at the ends exactly as ``runBoxFilterPhases(length:window:add:subtract:emit:)``
/// clips them.
struct TentWeights {
    private(set) var length = 0
    /// `starts[k]..<ends[k]`: the samples output `k` weighs; `offsets[k]` where its weights begin.
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var offsets: [Int] = []
    private var weights: [Float] = []

    /// Computes the weights for `length` samples, unless they are already for that length.
    mutating func prepare(length: Int) {
        guard length != self.length else { return }
        self.length = length
        let window = jaroszWindowSize(length, 64)
        let halfWindow = (window + 2) / 2
        // A window around output `o` holds samples `o - before ... o + after`, clipped to the line.
        let before = window - halfWindow
        let after = halfWindow - 1
        func clipped(_ center: Int) -> (first: Int, last: Int) {
            (max(0, center - before), min(length - 1, center + after))
        }
        starts = []
        ends = []
        offsets = []
        weights = []
        for k in 0..<64 {
            let center = decimationIndex(k, inputCount: length, outputCount: 64)
            let outer = clipped(center)
            let first = max(0, outer.first - before)
            let last = min(length - 1, outer.last + after)
            var sampleWeights = [Double](repeating: 0, count: last - first + 1)
            let outerCount = Double(outer.last - outer.first + 1)
            for inner in outer.first...outer.last {
                let span = clipped(inner)
                let share = 1 / (Double(span.last - span.first + 1) * outerCount)
                for sample in span.first...span.last { sampleWeights[sample - first] += share }
            }
            starts.append(first)
            ends.append(last + 1)
            offsets.append(weights.count)
            weights.append(contentsOf: sampleWeights.map { Float($0) })
        }
    }

    /// The first sample output `k` weighs.
    @inline(__always) func start(of output: Int) -> Int { starts[output] }
    /// One past the last sample output `k` weighs.
    @inline(__always) func end(of output: Int) -> Int { ends[output] }

    /// The weight of `sample` in `output`; the sample must lie in the output's range.
    @inline(__always)
    func weight(of sample: Int, in output: Int) -> Float {
        weights[offsets[output] + sample - starts[output]]
    }

    /// Output `k` of a line of samples.
    @inline(__always)
    func weightedSum(_ line: UnsafePointer<Float>, output: Int) -> Float {
        let first = starts[output]
        let base = offsets[output] - first
        var sum: Float = 0
        for sample in first..<ends[output] {
            sum += weights[base + sample] * line[sample]
        }
        return sum
    }
}
