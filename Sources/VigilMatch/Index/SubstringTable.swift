import VigilHash

/// One multi-index table: the entries grouped by the value of one bit substring of their hash.
///
/// Entry numbers are sorted by key (a radix sort), and ``BucketOffsets`` gives the contiguous
/// slots of a key's bucket in a few array reads. Entry numbers take three bytes when the index
/// holds fewer than 2^24 hashes (every bank up to 16.7M), four otherwise.
struct SubstringTable: Sendable {
    let bits: Range<Int>
    private let offsets: BucketOffsets
    private let entries: EntryNumbers

    /// Builds the table for the substring `bits` of `count` hashes. `scratch` is working memory
    /// of at least `2 * count` words, shared by the tables of one index: fresh memory is slow to
    /// touch, so one buffer serves every table.
    init(bits: Range<Int>, hashes: HashHalves, count: Int, scratch: UnsafeMutableBufferPointer<UInt64>) {
        self.bits = bits
        let buckets = 1 << bits.count
        // Every offset is written by the build, in order.
        var offsets = [UInt32](unsafeUninitializedCapacity: buckets + 1) { _, initialized in initialized = buckets + 1 }
        var entries = EntryNumbers(count: count)
        offsets.withUnsafeMutableBufferPointer { offsets in
            entries.withWriter { write in
                Self.sort(bits: bits, hashes: hashes, count: count, scratch: scratch, offsets: offsets, write: write)
            }
        }
        self.offsets = offsets.withUnsafeBufferPointer { BucketOffsets($0) }
        self.entries = entries
    }

    /// Sorts the entry numbers by key (and, within a key, by number) into `write`, and writes
    /// where each key's bucket starts into `offsets`.
    ///
    /// A two-digit radix sort, most significant digit first: one pass makes `key << 32 | entry`
    /// pairs and counts the high digits, one groups the pairs by high digit, both reading and
    /// writing memory in sequence. Each group (a few thousand pairs at millions of entries) then
    /// fits in the processor's caches, and is sorted by its low digit straight into the table,
    /// where placing each entry into its bucket in one pass over millions would cost two cache
    /// misses an entry.
    private static func sort(
        bits: Range<Int>, hashes: HashHalves, count: Int, scratch: UnsafeMutableBufferPointer<UInt64>,
        offsets: UnsafeMutableBufferPointer<UInt32>, write: (Int, UInt32) -> Void
    ) {
        let lowBits = bits.count / 2
        let highDigits = 1 << (bits.count - lowBits)
        let lowDigits = 1 << lowBits
        let lowMask = UInt64(lowDigits - 1)
        let highShift = UInt64(32 + lowBits)
        let pairs = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
        let grouped = UnsafeMutableBufferPointer(rebasing: scratch[count..<(2 * count)])
        let highStarts = UnsafeMutableBufferPointer<Int>.allocate(capacity: highDigits + 1)
        let lowStarts = UnsafeMutableBufferPointer<Int>.allocate(capacity: lowDigits)
        defer {
            highStarts.deallocate()
            lowStarts.deallocate()
        }
        highStarts.initialize(repeating: 0)
        lowStarts.initialize(repeating: 0)
        // Read only the half that holds the key, where one does: half the memory traffic.
        if bits.upperBound <= 128 || bits.lowerBound >= 128 {
            let half = bits.upperBound <= 128 ? hashes.low : hashes.high
            let halfBits = bits.upperBound <= 128 ? bits : (bits.lowerBound - 128)..<(bits.upperBound - 128)
            for entry in 0..<count {
                let words = (half[2 * entry], half[2 * entry + 1], UInt64(0), UInt64(0))
                let pair = UInt64(key(words, bits: halfBits)) << 32 | UInt64(entry)
                pairs[entry] = pair
                highStarts[Int(pair >> highShift) + 1] += 1
            }
        } else {
            for entry in 0..<count {
                let pair = UInt64(key(hashes.words(entry), bits: bits)) << 32 | UInt64(entry)
                pairs[entry] = pair
                highStarts[Int(pair >> highShift) + 1] += 1
            }
        }
        for digit in 0..<highDigits {
            highStarts[digit + 1] += highStarts[digit]
        }
        let cursors = UnsafeMutableBufferPointer<Int>.allocate(capacity: highDigits)
        defer { cursors.deallocate() }
        _ = cursors.initialize(from: highStarts[0..<highDigits])
        for pair in pairs {
            let digit = Int(pair >> highShift)
            grouped[cursors[digit]] = pair
            cursors[digit] += 1
        }
        for high in 0..<highDigits {
            let groupStart = highStarts[high]
            let groupEnd = highStarts[high + 1]
            lowStarts.update(repeating: 0)
            for slot in groupStart..<groupEnd {
                lowStarts[Int((grouped[slot] >> 32) & lowMask)] += 1
            }
            var position = groupStart
            for low in 0..<lowDigits {
                offsets[high << lowBits | low] = UInt32(truncatingIfNeeded: position)
                let size = lowStarts[low]
                lowStarts[low] = position
                position += size
            }
            for slot in groupStart..<groupEnd {
                let pair = grouped[slot]
                let low = Int((pair >> 32) & lowMask)
                write(lowStarts[low], UInt32(truncatingIfNeeded: pair))
                lowStarts[low] += 1
            }
        }
        offsets[highDigits << lowBits] = UInt32(truncatingIfNeeded: count)
    }

    var memoryBytes: Int { offsets.memoryBytes + entries.memoryBytes }

    /// Whether the table keeps 4-byte bucket offsets (see ``BucketOffsets``).
    var hasWideOffsets: Bool { offsets.isWide }

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
        offsets.withReader { bucket in
            entries.withReader { entryAt in
                func probe(_ key: UInt32) {
                    for slot in bucket(Int(key)) {
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
