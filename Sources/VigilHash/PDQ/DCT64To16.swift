import Foundation

/// The 16x64 DCT-II basis (rows 1...16 of the 64-point DCT) that PDQ projects onto, and its
/// transpose. Entries are computed in double and rounded to float, as the reference does.
struct DCT64To16Matrix: Sendable {
    /// Row-major 16x64: `d[i * 64 + k]`.
    let d: [Float]
    /// Row-major 64x16: `dt[k * 16 + j] == d[j * 64 + k]`.
    let dt: [Float]

    static let shared = DCT64To16Matrix()

    private init() {
        let scale = Float((2.0 / 64.0).squareRoot())
        var d = [Float](repeating: 0, count: 16 * 64)
        var dt = [Float](repeating: 0, count: 64 * 16)
        for i in 0..<16 {
            for k in 0..<64 {
                let angle = (Double.pi / 2.0 / 64.0) * Double(i + 1) * Double(2 * k + 1)
                let value = Float(Double(scale) * cos(angle))
                d[i * 64 + k] = value
                dt[k * 16 + i] = value
            }
        }
        self.d = d
        self.dt = dt
    }
}

/// `B = D · A · Dᵀ` for a 64x64 `a`, giving the 16x16 `b` (row-major).
///
/// Each output is a float sum accumulated in increasing `k`, the reference's order; the SIMD lanes
/// run across independent outputs, so every lane sees exactly the reference's sequence of roundings.
func dct64To16(
    _ a: UnsafePointer<Float>,
    scratch t: UnsafeMutablePointer<Float>,
    into b: UnsafeMutablePointer<Float>,
    matrix: DCT64To16Matrix = .shared
) {
    matrix.d.withUnsafeBufferPointer { d in
        // T = D · A, 16x64, lanes across the 64 columns of A.
        for i in 0..<16 {
            var sums = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
            for k in 0..<64 {
                let coefficient = SIMD16<Float>(repeating: d[i * 64 + k])
                let row = UnsafeRawPointer(a + k * 64)
                sums.0 += coefficient * row.loadUnaligned(fromByteOffset: 0, as: SIMD16<Float>.self)
                sums.1 += coefficient * row.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
                sums.2 += coefficient * row.loadUnaligned(fromByteOffset: 128, as: SIMD16<Float>.self)
                sums.3 += coefficient * row.loadUnaligned(fromByteOffset: 192, as: SIMD16<Float>.self)
            }
            let out = UnsafeMutableRawPointer(t + i * 64)
            out.storeBytes(of: sums.0, toByteOffset: 0, as: SIMD16<Float>.self)
            out.storeBytes(of: sums.1, toByteOffset: 64, as: SIMD16<Float>.self)
            out.storeBytes(of: sums.2, toByteOffset: 128, as: SIMD16<Float>.self)
            out.storeBytes(of: sums.3, toByteOffset: 192, as: SIMD16<Float>.self)
        }
    }
    matrix.dt.withUnsafeBufferPointer { dt in
        // B = T · Dᵀ, 16x16, lanes across the 16 columns of B.
        for i in 0..<16 {
            var sum = SIMD16<Float>()
            for k in 0..<64 {
                let value = SIMD16<Float>(repeating: t[i * 64 + k])
                sum += value * UnsafeRawPointer(dt.baseAddress! + k * 16).loadUnaligned(as: SIMD16<Float>.self)
            }
            UnsafeMutableRawPointer(b + i * 16).storeBytes(of: sum, as: SIMD16<Float>.self)
        }
    }
}
