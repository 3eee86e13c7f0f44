/// A borrowed view of 8-bit pixels for hashing: interleaved RGB or single-channel grey (luma).
///
/// The view does not own its memory; it is valid only while the buffer it points into is.
public struct PixelView {
    /// Channel layout of each pixel.
    public enum Layout: Sendable {
        /// Three bytes a pixel, R then G then B.
        case rgb24
        /// One byte a pixel, already luma.
        case grey8
    }

    /// First byte of the top row.
    public let base: UnsafePointer<UInt8>
    /// Pixels per row.
    public let width: Int
    /// Number of rows.
    public let height: Int
    /// Distance in bytes between the starts of consecutive rows (at least `width` × channels).
    public let bytesPerRow: Int
    /// Channel layout.
    public let layout: Layout

    /// Wraps a buffer; `bytesPerRow` defaults to tightly packed rows.
    public init(base: UnsafePointer<UInt8>, width: Int, height: Int, bytesPerRow: Int? = nil, layout: Layout = .rgb24) {
        let channels = layout == .rgb24 ? 3 : 1
        precondition(width >= 0 && height >= 0, "image dimensions must not be negative")
        self.base = base
        self.width = width
        self.height = height
        self.bytesPerRow = bytesPerRow ?? width * channels
        self.layout = layout
        precondition(self.bytesPerRow >= width * channels, "rows must hold width × channels bytes")
    }

}

extension PDQHasher {
    /// Hashes tightly packed RGB24 pixels held in an array.
    public func hash(rgb pixels: [UInt8], width: Int, height: Int) -> PDQResult {
        precondition(pixels.count >= width * height * 3, "RGB buffer is smaller than width × height × 3")
        return pixels.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return PDQResult(hash: .zero, quality: 0) }
            return hash(PixelView(base: base, width: width, height: height))
        }
    }

    /// Hashes tightly packed RGB24 pixels and their seven dihedral variants.
    public func dihedralHashes(rgb pixels: [UInt8], width: Int, height: Int) -> PDQDihedralResult {
        precondition(pixels.count >= width * height * 3, "RGB buffer is smaller than width × height × 3")
        return pixels.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                return PDQDihedralResult(hashes: Array(repeating: .zero, count: 8), quality: 0)
            }
            return dihedralHashes(PixelView(base: base, width: width, height: height))
        }
    }
}
