/// A table's entry numbers, packed into three bytes each when every number fits (fewer than 2^24
/// entries), else four: a quarter less memory for every table of every bank up to 16.7M hashes.
struct EntryNumbers: Sendable {
    private let width: Int
    private var bytes: [UInt8]

    /// Room for `count` entry numbers below `count`, in `width` bytes each (3 or 4; by default
    /// the narrowest that holds them).
    init(count: Int, width: Int? = nil) {
        let width = width ?? (count < (1 << 24) ? 3 : 4)
        precondition(width == 4 || (width == 3 && count <= (1 << 24)), "entry numbers need \(width) bytes")
        self.width = width
        // One spare byte lets a three-byte number be read as a four-byte load.
        // Every byte is written when the table is built; only the spare one needs a value now.
        bytes = [UInt8](unsafeUninitializedCapacity: count * width + 1) { buffer, initialized in
            buffer[count * width] = 0
            initialized = count * width + 1
        }
    }

    var memoryBytes: Int { bytes.count }

    /// Runs `body` with a function that stores a number at a slot.
    mutating func withWriter<Result>(_ body: ((Int, UInt32) -> Void) -> Result) -> Result {
        let width = self.width
        return bytes.withUnsafeMutableBytes { raw in
            body { slot, value in
                if width == 3 {
                    raw[slot * 3] = UInt8(truncatingIfNeeded: value)
                    raw[slot * 3 + 1] = UInt8(truncatingIfNeeded: value >> 8)
                    raw[slot * 3 + 2] = UInt8(truncatingIfNeeded: value >> 16)
                } else {
                    raw.storeBytes(of: value.littleEndian, toByteOffset: slot * 4, as: UInt32.self)
                }
            }
        }
    }

    /// Runs `body` with a function that reads the number at a slot.
    func withReader<Result>(_ body: ((Int) -> Int) -> Result) -> Result {
        let mask: UInt32 = width == 4 ? .max : 0xFF_FFFF
        let width = self.width
        return bytes.withUnsafeBytes { raw in
            body { slot in
                Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: slot * width, as: UInt32.self)) & mask)
            }
        }
    }
}
