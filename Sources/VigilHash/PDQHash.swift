/// A 256-bit PDQ hash.
///
/// Bit `k = 16 * i + j` is set when DCT coefficient (row `i`, column `j`) lies above the median of
/// the 16x16 block. The hex form is the 256-bit number written most significant digit first, so the
/// first hex digit holds bits 255...252 — the convention of Meta's reference and of industry lists.
public struct PDQHash: Hashable, Sendable {
    /// Bits 0...63 in `words.0`, up to bits 192...255 in `words.3`.
    public var words: (UInt64, UInt64, UInt64, UInt64)

    /// Number of bits in a hash.
    public static let bitCount = 256

    /// The hash with no bit set (what PDQ yields for images too small to hash).
    public static let zero = PDQHash(words: (0, 0, 0, 0))

    /// Creates a hash from its four 64-bit words, least significant first.
    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Whether bit `index` (0...255) is set.
    public func bit(_ index: Int) -> Bool {
        precondition((0..<Self.bitCount).contains(index), "PDQ bit index out of range")
        return (word(index >> 6) >> UInt64(index & 63)) & 1 == 1
    }

    /// Sets bit `index` (0...255).
    public mutating func setBit(_ index: Int) {
        precondition((0..<Self.bitCount).contains(index), "PDQ bit index out of range")
        let mask = UInt64(1) << UInt64(index & 63)
        switch index >> 6 {
        case 0: words.0 |= mask
        case 1: words.1 |= mask
        case 2: words.2 |= mask
        default: words.3 |= mask
        }
    }

    /// Word `index` (0...3), least significant first.
    public func word(_ index: Int) -> UInt64 {
        switch index {
        case 0: return words.0
        case 1: return words.1
        case 2: return words.2
        default: return words.3
        }
    }

    /// Number of differing bits between two hashes.
    @inlinable
    public func distance(to other: PDQHash) -> Int {
        (words.0 ^ other.words.0).nonzeroBitCount
            + (words.1 ^ other.words.1).nonzeroBitCount
            + (words.2 ^ other.words.2).nonzeroBitCount
            + (words.3 ^ other.words.3).nonzeroBitCount
    }

    /// Number of set bits.
    public var popcount: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount
    }

    public static func == (lhs: PDQHash, rhs: PDQHash) -> Bool {
        lhs.words == rhs.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
