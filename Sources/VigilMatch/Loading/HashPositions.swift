import VigilHash

/// Finds the position of a hash already added to a bank, to merge lines that repeat a hash.
///
/// An open-addressing table of 8-byte slots, each a position in the bank's hash column and 32
/// more bits of the hash's mix, so a new hash (nearly every one) is told apart without reading
/// the column. At 10M hashes it takes 256 MiB for the load only, where a `[PDQHash: Int]` takes
/// several times that and allocates as it grows.
struct HashPositions {
    private static let empty = UInt64.max
    private var slots: [UInt64]
    private var mask: Int
    private var count = 0
    // Multilinear hashing: with secret random factors, no list can be built to collide.
    private let factors = (Self.randomOdd(), Self.randomOdd(), Self.randomOdd(), Self.randomOdd())

    /// An empty table.
    init() {
        slots = [UInt64](repeating: Self.empty, count: 1024)
        mask = 1023
    }

    private static func randomOdd() -> UInt64 {
        UInt64.random(in: 0...UInt64.max) | 1
    }

    /// Grows the table ahead of `additional` more hashes.
    mutating func reserve(_ additional: Int, hashes: [PDQHash]) {
        var size = slots.count
        while size < (count + additional) * 2 {
            size <<= 1
        }
        if size > slots.count {
            rehash(size: size, hashes: hashes)
        }
    }

    /// The position of `hash` in `hashes` when an earlier call added it; otherwise records that
    /// `hash` is at `hashes.count` (the caller appends it next) and returns nil.
    mutating func existingPosition(of hash: PDQHash, in hashes: [PDQHash]) -> Int? {
        if (count + 1) * 2 > slots.count {
            rehash(size: slots.count * 2, hashes: hashes)
        }
        let mixed = mix(hash)
        let tag = mixed & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: mixed) & mask
        while true {
            let value = slots[slot]
            if value == Self.empty {
                slots[slot] = tag | UInt64(hashes.count)
                count += 1
                return nil
            }
            if value & 0xFFFF_FFFF_0000_0000 == tag, hashes[Int(value & 0xFFFF_FFFF)] == hash {
                return Int(value & 0xFFFF_FFFF)
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    private func mix(_ hash: PDQHash) -> UInt64 {
        let sum = hash.words.0 &* factors.0 &+ hash.words.1 &* factors.1
            &+ hash.words.2 &* factors.2 &+ hash.words.3 &* factors.3
        // The high bits are the best mixed: they pick the slot; the low half becomes the tag.
        return sum >> 32 | sum << 32
    }

    private mutating func rehash(size: Int, hashes: [PDQHash]) {
        var grown = self
        grown.slots = [UInt64](repeating: Self.empty, count: size)
        grown.mask = size - 1
        for value in slots where value != Self.empty {
            var slot = Int(truncatingIfNeeded: mix(hashes[Int(value & 0xFFFF_FFFF)])) & grown.mask
            while grown.slots[slot] != Self.empty {
                slot = (slot + 1) & grown.mask
            }
            grown.slots[slot] = value
        }
        self = grown
    }
}
