import VigilHash

/// One multi-index table: the entries grouped by the value of one bit substring of their hash.
///
/// Entry numbers are sorted by key (a counting sort), and `offsets[key]..<offsets[key + 1]` is
/// the bucket of `key`, so a lookup is two array reads and the bucket is contiguous.
struct SubstringTable: Sendable {
    let bits: Range<Int>
    private let offsets: [UInt32]
    private let entries: [UInt32]

    init(bits: Range<Int>, words: [UInt64]) {
        self.bits = bits
        let count = words.count / 4
        let buckets = 1 << bits.count
        var offsets = [UInt32](repeating: 0, count: buckets + 1)
        var keys = [UInt32](repeating: 0, count: count)
        words.withUnsafeBufferPointer { words in
            for entry in 0..<count {
                let key = Self.key(words.baseAddress! + entry * 4, bits: bits)
                keys[entry] = key
                offsets[Int(key) + 1] += 1
            }
        }
        for bucket in 0..<buckets {
            offsets[bucket + 1] += offsets[bucket]
        }
        var next = offsets
        var entries = [UInt32](repeating: 0, count: count)
        for entry in 0..<count {
            let key = Int(keys[entry])
            entries[Int(next[key])] = UInt32(entry)
            next[key] += 1
        }
        self.offsets = offsets
        self.entries = entries
    }

    var memoryBytes: Int { offsets.count * 4 + entries.count * 4 }

    /// The substring of a hash given as four words, as an integer.
    @inline(__always)
    static func key(_ hash: UnsafePointer<UInt64>, bits: Range<Int>) -> UInt32 {
        let word = bits.lowerBound >> 6
        let shift = bits.lowerBound & 63
        var value = hash[word] >> UInt64(shift)
        if shift + bits.count > 64 {
            value |= hash[word + 1] << UInt64(64 - shift)
        }
        return UInt32(truncatingIfNeeded: value & ((1 << UInt64(bits.count)) - 1))
    }

    /// Appends every entry within `radius` of `query` whose substring is within `perTableRadius`
    /// of the query's (possibly entries other tables also find).
    func search(
        _ query: PDQHash, radius: Int, perTableRadius: Int,
        hashes: UnsafePointer<UInt64>, into matches: inout [HashIndexMatch]
    ) {
        let (q0, q1, q2, q3) = query.words
        let queryKey = withUnsafeBytes(of: query.words) { raw in
            Self.key(raw.baseAddress!.assumingMemoryBound(to: UInt64.self), bits: bits)
        }
        let keyBits = bits.count
        offsets.withUnsafeBufferPointer { offsets in
            entries.withUnsafeBufferPointer { entries in
                func probe(_ key: UInt32) {
                    let start = Int(offsets[Int(key)])
                    let end = Int(offsets[Int(key) + 1])
                    for slot in start..<end {
                        let entry = Int(entries[slot])
                        let h = hashes + entry * 4
                        let distance = (h[0] ^ q0).nonzeroBitCount + (h[1] ^ q1).nonzeroBitCount
                            + (h[2] ^ q2).nonzeroBitCount + (h[3] ^ q3).nonzeroBitCount
                        if distance <= radius {
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
