/// The eight symmetries of a square image: rotations and mirror images.
///
/// PDQ can hash all eight from one DCT, so a rotated or mirrored copy of known material still
/// matches when queries include the variants. The order is the reference's output order.
public enum Dihedral: Int, CaseIterable, Sendable, CustomStringConvertible {
    case original, rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1

    /// The name used in command-line output and JSON.
    public var description: String {
        switch self {
        case .original: return "original"
        case .rotate90: return "rot90"
        case .rotate180: return "rot180"
        case .rotate270: return "rot270"
        case .flipX: return "flipx"
        case .flipY: return "flipy"
        case .flipPlus1: return "flipplus1"
        case .flipMinus1: return "flipminus1"
        }
    }

    /// Writes the 16x16 DCT block of the transformed image, derived from the original's block.
    ///
    /// A spatial symmetry of the image maps each DCT coefficient to a transposed and/or sign-flipped
    /// coefficient, so no pixel work is needed.
    func transform(_ a: UnsafePointer<Float>, into b: UnsafeMutablePointer<Float>) {
        for i in 0..<16 {
            for j in 0..<16 {
                let value = a[i * 16 + j]
                switch self {
                case .original: b[i * 16 + j] = value
                case .rotate90: b[j * 16 + i] = (j & 1) == 1 ? value : -value
                case .rotate180: b[i * 16 + j] = ((i + j) & 1) == 1 ? -value : value
                case .rotate270: b[j * 16 + i] = (i & 1) == 1 ? value : -value
                case .flipX: b[i * 16 + j] = (i & 1) == 1 ? value : -value
                case .flipY: b[i * 16 + j] = (j & 1) == 1 ? value : -value
                case .flipPlus1: b[j * 16 + i] = value
                case .flipMinus1: b[j * 16 + i] = ((i + j) & 1) == 1 ? -value : value
                }
            }
        }
    }
}
