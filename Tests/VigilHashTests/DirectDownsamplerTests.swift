import Testing
import VigilTestSupport

@testable import VigilHash

@Suite("Direct downsampling: the reference's filter, one weighted sum per kept sample")
struct DirectDownsamplerTests {
    @Test("each kept sample's weights sum to one and span the two windows around it",
          arguments: [5, 6, 63, 64, 65, 127, 128, 129, 720, 1080, 1920, 4000])
    func weightsAreMeans(length: Int) {
        var weights = TentWeights()
        weights.prepare(length: length)
        let window = jaroszWindowSize(length, 64)
        for output in 0..<64 {
            let span = weights.start(of: output)..<weights.end(of: output)
            #expect(span.count <= 2 * window - 1 && !span.isEmpty)
            let total = span.reduce(Float(0)) { $0 + weights.weight(of: $1, in: output) }
            #expect(abs(total - 1) < 1e-5, "output \(output) of \(length) sums to \(total)")
        }
    }

    @Test("DCT coefficients equal the exact path's up to float rounding, on grey and RGB pictures")
    func coefficientsMatchExact() {
        var rng = SplitMix64(state: 0xD1_4EC7)
        let hasher = PDQHasher()
        var compared = 0
        for index in 0..<80 {
            let image = RandomImage.make(&rng, index: index + 2)
            guard image.width >= PDQHasher.minimumDimension, image.height >= PDQHasher.minimumDimension else { continue }
            // The 64x64 shortcut skips the filter either way.
            guard image.width != 64 || image.height != 64 else { continue }
            let grey = stride(from: 0, to: image.rgb.count, by: 3).map { image.rgb[$0] }
            for (pixels, layout) in [(image.rgb, PixelView.Layout.rgb24), (grey, .grey8)] {
                pixels.withUnsafeBufferPointer { buffer in
                    let view = PixelView(base: buffer.baseAddress!, width: image.width, height: image.height, layout: layout)
                    let exact = hasher.float256(view, downsampling: .exact)
                    let direct = hasher.float256(view, downsampling: .direct)
                    let largest = exact.coefficients.map(abs).max() ?? 0
                    // The reference's running sums carry rounding along a whole row or column.
                    let tolerance = 0.01 + largest * 1e-4
                    let worst = zip(exact.coefficients, direct.coefficients).map { abs($0 - $1) }.max() ?? 0
                    #expect(worst <= tolerance, "\(image.width)x\(image.height) \(image.content) \(layout): off by \(worst) of \(largest)")
                    #expect(abs(exact.quality - direct.quality) <= 1)
                    // A bit may differ only where its coefficient lies within rounding of the
                    // median (flat and symmetric pictures tie there, and any rounding decides).
                    let exactMedian = exact.coefficients.sorted()[127]
                    let directMedian = direct.coefficients.sorted()[127]
                    for (a, b) in zip(exact.coefficients, direct.coefficients) where abs(a - exactMedian) > 2 * tolerance {
                        #expect((a > exactMedian) == (b > directMedian), "\(image.width)x\(image.height) \(image.content) \(layout)")
                    }
                }
                compared += 1
            }
        }
        #expect(compared >= 100)
    }

    @Test("a flat picture downsamples to its own level everywhere")
    func flatPicture() {
        let (width, height) = (1920, 1080)
        let pixels = [UInt8](repeating: 173, count: width * height)
        var downsampler = DirectDownsampler()
        let output = UnsafeMutablePointer<Float>.allocate(capacity: 64 * 64)
        defer { output.deallocate() }
        pixels.withUnsafeBufferPointer { buffer in
            let view = PixelView(base: buffer.baseAddress!, width: width, height: height, layout: .grey8)
            downsampler.downsample(GreyLumaSource(view), into: output)
        }
        let values = UnsafeBufferPointer(start: output, count: 64 * 64)
        #expect(values.allSatisfy { abs($0 - 173) < 1e-3 })
    }
}
