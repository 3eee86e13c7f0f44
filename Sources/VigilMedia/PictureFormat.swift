/// How a sampled picture's bytes are laid out in ``Frame/pixels``.
public enum PictureFormat: String, Sendable, Equatable, Codable {
    /// Packed RGB, three bytes a pixel in R, G, B order: what Meta's PDQ reference hashes, so the
    /// hash is bit for bit the reference's (`vigil hash`, still images).
    case rgb24
    /// Full-range luma (0 is black, 255 white), one byte a pixel, read from the decoder's own
    /// luma plane: no picture-sized colour conversion, a third of the bytes to hash and to scan
    /// for borders. Hashes land within a few bits of the RGB ones (see BENCHMARKS.md).
    case luma8

    /// Bytes per pixel in ``Frame/pixels``.
    public var bytesPerPixel: Int {
        switch self {
        case .rgb24: return 3
        case .luma8: return 1
        }
    }
}
