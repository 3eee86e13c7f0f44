/// Blurs a full-resolution luma image with two passes of PDQ's box filter along rows and columns
/// and decimates it to 64x64 — the reference's result, bit for bit, in far less time.
///
/// The reference filters each row one sample at a time, each column with a stride through the whole
/// image, and then keeps only 64x64 samples. Here every output sees the same floating point
/// sequence, but eight rows are filtered at once from a transposed strip (SIMD lanes across rows),
/// columns are filtered a whole row at a time (lanes across columns), and the second pass only
/// computes what decimation keeps. Buffers are reused across calls, so hashing a stream of
/// same-sized frames allocates nothing.
struct JaroszDownsampler {
    /// First-pass output, `height` rows of `paddedWidth` floats.
    private var fullBuffer: [Float] = []
    /// Column running sums for the first pass's column filter.
    private var columnSums: [Float] = []
    /// Eight rows transposed, `strip[column * 8 + lane]`, for the row filters.
    private var strip: [Float] = []
    /// Second-pass row filter output at the 64 decimation columns: `height` rows of 64.
    private var keptColumns: [Float] = []
    /// Decimation indices for the last size seen, so same-sized frames reuse them.
    private var decimation = (width: 0, height: 0, columns: [Int](), rows: [Int]())

    /// Writes the 64x64 downsample (row-major) of `source` into `output`.
    mutating func downsample<Source: LumaSource>(_ source: Source, into output: UnsafeMutablePointer<Float>) {
        let width = source.width
        let height = source.height
        let paddedWidth = (width + 7) & ~7
        let rowWindow = jaroszWindowSize(width, 64)
        let columnWindow = jaroszWindowSize(height, 64)
        Self.grow(&fullBuffer, to: height * paddedWidth)
        Self.grow(&columnSums, to: paddedWidth)
        Self.grow(&strip, to: 8 * paddedWidth)
        Self.grow(&keptColumns, to: height * 64)
        if decimation.width != width || decimation.height != height {
            decimation = (
                width, height,
                (0..<64).map { decimationIndex($0, inputCount: width, outputCount: 64) },
                (0..<64).map { decimationIndex($0, inputCount: height, outputCount: 64) })
        }
        let decimatedRows = decimation.rows

        decimation.columns.withUnsafeBufferPointer { decimatedColumns in
            fullBuffer.withUnsafeMutableBufferPointer { full in
                columnSums.withUnsafeMutableBufferPointer { sums in
                    strip.withUnsafeMutableBufferPointer { strip in
                        keptColumns.withUnsafeMutableBufferPointer { kept in
                            Self.firstRowPass(
                                source, window: rowWindow, strip: strip.baseAddress!,
                                into: full.baseAddress!, stride: paddedWidth)
                            Self.firstColumnPassThenSecondRowPass(
                                full.baseAddress!, width: width, height: height, stride: paddedWidth,
                                rowWindow: rowWindow, columnWindow: columnWindow,
                                sums: sums.baseAddress!, strip: strip.baseAddress!,
                                decimatedColumns: decimatedColumns, kept: kept.baseAddress!)
                            Self.secondColumnPass(
                                kept.baseAddress!, height: height, window: columnWindow,
                                decimatedRows: decimatedRows, into: output)
                        }
                    }
                }
            }
        }
    }

    /// Row filter over a transposed strip of eight rows: lane `k` of each vector is row `k`.
    @inline(__always)
    private static func filterStrip(
        _ strip: UnsafeMutablePointer<Float>, length: Int, window: Int,
        emit: (_ column: Int, _ mean: () -> SIMD8<Float>) -> Void
    ) {
        let raw = UnsafeRawPointer(strip)
        var sum = SIMD8<Float>()
        runBoxFilterPhases(
            length: length, window: window,
            add: { sum += raw.loadUnaligned(fromByteOffset: $0 * 32, as: SIMD8<Float>.self) },
            subtract: { sum -= raw.loadUnaligned(fromByteOffset: $0 * 32, as: SIMD8<Float>.self) },
            emit: { column, count in
                emit(column) { sum / SIMD8<Float>(repeating: Float(count)) }
            })
    }

    /// Row filter of the luma, eight rows per strip.
    private static func firstRowPass<Source: LumaSource>(
        _ source: Source, window: Int, strip: UnsafeMutablePointer<Float>,
        into full: UnsafeMutablePointer<Float>, stride: Int
    ) {
        let height = source.height
        for stripStart in Swift.stride(from: 0, to: height, by: 8) {
            let lanes = min(8, height - stripStart)
            for lane in 0..<lanes {
                source.lumaRow(stripStart + lane, into: strip + lane, stride: 8)
            }
            // Lanes past the last row hold stale values; they are filtered but never stored.
            filterStrip(strip, length: source.width, window: window) { column, mean in
                let value = mean()
                let out = full + stripStart * stride + column
                for lane in 0..<lanes { out[lane * stride] = value[lane] }
            }
        }
    }

    /// Column filter of the first pass, streamed row by row into a transposed strip; every eight
    /// finished rows go straight through the second row filter, which keeps only the 64
    /// decimation columns.
    private static func firstColumnPassThenSecondRowPass(
        _ full: UnsafeMutablePointer<Float>, width: Int, height: Int, stride: Int,
        rowWindow: Int, columnWindow: Int,
        sums: UnsafeMutablePointer<Float>, strip: UnsafeMutablePointer<Float>,
        decimatedColumns: UnsafeBufferPointer<Int>, kept: UnsafeMutablePointer<Float>
    ) {
        let vectors = stride / 8
        let rawSums = UnsafeMutableRawPointer(sums)
        rawSums.initializeMemory(as: Float.self, repeating: 0, count: stride)
        runBoxFilterPhases(
            length: height, window: columnWindow,
            add: { row in
                let input = UnsafeRawPointer(full + row * stride)
                for v in 0..<vectors {
                    let offset = v * 32
                    let sum = rawSums.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                        + input.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    rawSums.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
                }
            },
            subtract: { row in
                let input = UnsafeRawPointer(full + row * stride)
                for v in 0..<vectors {
                    let offset = v * 32
                    let sum = rawSums.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                        - input.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                    rawSums.storeBytes(of: sum, toByteOffset: offset, as: SIMD8<Float>.self)
                }
            },
            emit: { row, count in
                let divisor = SIMD8<Float>(repeating: Float(count))
                let lane = row & 7
                for v in 0..<vectors {
                    let mean = rawSums.loadUnaligned(fromByteOffset: v * 32, as: SIMD8<Float>.self) / divisor
                    let out = strip + v * 64 + lane
                    for k in 0..<8 { out[k * 8] = mean[k] }
                }
                if lane == 7 || row == height - 1 {
                    secondRowPass(
                        strip, rows: lane + 1, firstRow: row & ~7, width: width,
                        window: rowWindow, decimatedColumns: decimatedColumns, kept: kept)
                }
            })
    }

    /// Row filter of the (up to) eight rows in `strip`, storing only the decimation columns.
    private static func secondRowPass(
        _ strip: UnsafeMutablePointer<Float>, rows lanes: Int, firstRow: Int, width: Int,
        window: Int, decimatedColumns: UnsafeBufferPointer<Int>, kept: UnsafeMutablePointer<Float>
    ) {
        var nextKept = 0
        filterStrip(strip, length: width, window: window) { column, mean in
            // Decimation columns ascend, and repeat when the image is narrower than 64.
            guard nextKept < 64, decimatedColumns[nextKept] == column else { return }
            let value = mean()
            while nextKept < 64, decimatedColumns[nextKept] == column {
                let out = kept + firstRow * 64 + nextKept
                for lane in 0..<lanes { out[lane * 64] = value[lane] }
                nextKept += 1
            }
        }
    }

    /// Column filter over the 64 kept columns, writing only the 64 decimation rows.
    private static func secondColumnPass(
        _ kept: UnsafeMutablePointer<Float>, height: Int, window: Int,
        decimatedRows: [Int], into output: UnsafeMutablePointer<Float>
    ) {
        var sums = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        @inline(__always) func row(_ index: Int) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
            let raw = UnsafeRawPointer(kept + index * 64)
            return (
                raw.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self),
                raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self),
                raw.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self),
                raw.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self))
        }
        var nextRow = 0
        runBoxFilterPhases(
            length: height, window: window,
            add: {
                let r = row($0)
                sums.0 += r.0; sums.1 += r.1; sums.2 += r.2; sums.3 += r.3
            },
            subtract: {
                let r = row($0)
                sums.0 -= r.0; sums.1 -= r.1; sums.2 -= r.2; sums.3 -= r.3
            },
            emit: { index, count in
                guard nextRow < 64, decimatedRows[nextRow] == index else { return }
                let divisor = SIMD16<Float>(repeating: Float(count))
                while nextRow < 64, decimatedRows[nextRow] == index {
                    let out = UnsafeMutableRawPointer(output + nextRow * 64)
                    out.storeBytes(of: sums.0 / divisor, toByteOffset: 0, as: SIMD16<Float>.self)
                    out.storeBytes(of: sums.1 / divisor, toByteOffset: 64, as: SIMD16<Float>.self)
                    out.storeBytes(of: sums.2 / divisor, toByteOffset: 128, as: SIMD16<Float>.self)
                    out.storeBytes(of: sums.3 / divisor, toByteOffset: 192, as: SIMD16<Float>.self)
                    nextRow += 1
                }
            })
    }

    private static func grow(_ buffer: inout [Float], to count: Int) {
        if buffer.count < count {
            buffer = [Float](repeating: 0, count: count)
        }
    }
}
