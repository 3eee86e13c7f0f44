/// A sampled picture converted for hashing, before it becomes a ``Frame``.
struct ConvertedPicture {
    /// Rows packed tightly in ``format``.
    let pixels: [UInt8]
    let width: Int
    let height: Int
    let format: PictureFormat
}

extension ConvertedPicture {
    /// Luma (0...255) of one pixel, for the detectors: BT.601 weights in fixed point on RGB
    /// pictures, where precision does not matter for finding edges and bands.
    @inline(__always)
    func luma(row: Int, column: Int) -> Int {
        switch format {
        case .luma8:
            return Int(pixels[row * width + column])
        case .rgb24:
            let offset = (row * width + column) * 3
            return (77 * Int(pixels[offset]) + 150 * Int(pixels[offset + 1]) + 29 * Int(pixels[offset + 2])) >> 8
        }
    }
}
