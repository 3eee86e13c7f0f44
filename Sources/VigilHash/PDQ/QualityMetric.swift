/// PDQ's quality score (0...100) from the 64x64 downsampled luma: the sum of quantised vertical and
/// horizontal gradients, scaled. Flat or nearly flat images score low; their hashes are unreliable.
///
/// Each difference is truncated to an integer before summing, as in the reference, so only
/// significant gradients count.
func pdqQuality(_ buffer64x64: UnsafePointer<Float>) -> Int {
    var gradientSum = 0
    for i in 0..<63 {
        for j in 0..<64 {
            let u = buffer64x64[i * 64 + j]
            let v = buffer64x64[(i + 1) * 64 + j]
            gradientSum += abs(Int((u - v) * 100 / 255))
        }
    }
    for i in 0..<64 {
        for j in 0..<63 {
            let u = buffer64x64[i * 64 + j]
            let v = buffer64x64[i * 64 + j + 1]
            gradientSum += abs(Int((u - v) * 100 / 255))
        }
    }
    return min(gradientSum / 90, 100)
}
