import VigilHash

/// One multi-index table: the entries grouped by the value of one bit substring of their hash.
///
/// Entry numbers are sorted by key (a counting sort), and `offsets[key]..<offsets[key + 1]` is
/// the bucket of `key`, so a lookup is two array reads and the bucket is contiguous. Entry numbers
/// take three bytes when the index holds fewer than 2^24 hashes (every bank up to 16.7M), four
/// otherwise.
struct SubstringTable: Sendable {
    let bits: Range<Int>
    private let offsets: [UInt32]
    private let entries: EntryNumbers

    /// Builds the table for the substring `bits` of `count` hashes. `scratch` is working memory
    /// of at least `2 * count` words, shared by the tables of one index: fresh memory is slow to
    /// touch, so one buffer serves every table.
    init(bits: Range<Int>, hashes: HashHalves, count: Int, scratch: UnsafeMutableBufferPointer<UInt64>) {
        self.bits = bits
        let buckets = 1 << bits.count
        // (key, entry) pairs sorted by key: a radix sort reads and writes sequentially, where
        // placing each entry straight into its bucket would cost two cache misses an entry.
        let sorted = Self.sortKeys(bits: bits, hashes: hashes, count: count, scratch: scratch)
        // Every offset is written below, in order.
        var offsets = [UInt32](unsafeUninitializedCapacity: buckets + 1) { _, initialized in initialized = buckets + 1 }
        var entries = EntryNumbers(count: count)
        offsets.withUnsafeMutableBufferPointer { offsets in
            entries.withWriter { write in
                var bucket = 0
                for (slot, pair) in sorted.enumerated() {
                    let key = Int(pair >> 32)
                    while bucket <= key {
                        offsets[bucket] = UInt32(slot)
                        bucket += 1
                    }
                    write(slot, UInt32(truncatingIfNeeded: pair))
                }
                while bucket <= buckets {
                    offsets[bucket] = UInt32(count)
                    bucket += 1
                }
            }
        }
        self.offsets = offsets
        self.entries = entries
    }

    /// `key << 32 | entry` for every entry, sorted by key and, within a key, by entry, in one
    /// half of `scratch`.
    private static func sortKeys(
        bits: Range<Int>, hashes: HashHalves, count: Int, scratch: UnsafeMutableBufferPointer<UInt64>
    ) -> UnsafeMutableBufferPointer<UInt64> {
        var pairs = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
        var target = UnsafeMutableBufferPointer(rebasing: scratch[count..<(2 * count)])
        // Read only the half that holds the key, where one does: half the memory traffic.
        if bits.upperBound <= 128 || bits.lowerBound >= 128 {
            let half = bits.upperBound <= 128 ? hashes.low : hashes.high
            let halfBits = bits.upperBound <= 128 ? bits : (bits.lowerBound - 128)..<(bits.upperBound - 128)
            for entry in 0..<count {
                let words = (half[2 * entry], half[2 * entry + 1], UInt64(0), UInt64(0))
                pairs[entry] = UInt64(key(words, bits: halfBits)) << 32 | UInt64(entry)
            }
        } else {
            for entry in 0..<count {
                pairs[entry] = UInt64(key(hashes.words(entry), bits: bits)) << 32 | UInt64(entry)
            }
        }
        RadixSort.sort(&pairs, scratch: &target, bits: 32..<(32 + bits.count))
        return pairs
    }

    var memoryBytes: Int { offsets.count * 4 + entries.memoryBytes }

    /// The substring of a hash given as four words, as an integer.
    @inline(__always)
    static func key(_ words: (UInt64, UInt64, UInt64, UInt64), bits: Range<Int>) -> UInt32 {
        func word(_ index: Int) -> UInt64 {
            switch index {
            case 0: return words.0
            case 1: return words.1
            case 2: return words.2
            default: return words.3
            }
        }
        let index = bits.lowerBound >> 6
        let shift = bits.lowerBound & 63
        var value = word(index) >> UInt64(shift)
        if shift + bits.count > 64 {
            value |= word(index + 1) << UInt64(64 - shift)
        }
        return UInt32(truncatingIfNeeded: value & ((1 << UInt64(bits.count)) - 1))
    }

    /// Appends every entry within `radius` of `query` whose substring is within `perTableRadius`
    /// of the query's (possibly entries other tables also find).
    func search(
        _ query: PDQHash, radius: Int, perTableRadius: Int,
        hashes: HashHalves, into matches: inout [HashIndexMatch]
    ) {
        let words = query.words
        let queryKey = Self.key(words, bits: bits)
        let keyBits = bits.count
        offsets.withUnsafeBufferPointer { offsets in
            entries.withReader { entryAt in
                func probe(_ key: UInt32) {
                    let start = Int(offsets[Int(key)])
                    let end = Int(offsets[Int(key) + 1])
                    for slot in start..<end {
                        let entry = entryAt(slot)
                        if let distance = hashes.distance(entry, to: words, within: radius) {
                            matches.append(HashIndexMatch(entry: entry, distance: distance))
                        }
                    }
                }
                // Every key within `perTableRadius` flips: masks of each popcount, in turn.
                for flips in 0...min(perTableRadius, keyBits) {
                    if flips == 0 {
                        probe(queryKey)
                        continue
                    }
                    var mask: UInt64 = (1 << UInt64(flips)) - 1
                    let limit: UInt64 = 1 << UInt64(keyBits)
                    while mask < limit {
                        probe(queryKey ^ UInt32(truncatingIfNeeded: mask))
                        // Next larger integer with the same number of set bits.
                        let lowest = mask & (~mask &+ 1)
                        let ripple = mask &+ lowest
                        mask = (((ripple ^ mask) >> 2) / lowest) | ripple
                    }
                }
            }
        }
    }
}
