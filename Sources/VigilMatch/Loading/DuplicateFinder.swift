import VigilHash

/// Finds the hashes of a bank that an earlier entry already carries.
///
/// Sorting beats a hash table here: a table of millions of slots is read at random, a cache and
/// TLB miss per hash, while a radix sort of (mix, position) pairs reads and writes in sequence.
/// Equal hashes have equal mixes, so they end up side by side and only those few are compared.
/// The mix is multilinear with secret random factors, so no list can be built to collide.
enum DuplicateFinder {
    /// A hash that an earlier entry (its keeper, the first entry with that hash) already carries.
    struct Duplicate {
        var position: Int
        var keeper: Int
    }

    /// Every entry whose hash an earlier entry carries, by position.
    static func duplicates(in hashes: HashColumn) -> [Duplicate] {
        let count = hashes.count
        guard count > 1 else { return [] }
        let factors = (randomOdd(), randomOdd(), randomOdd(), randomOdd())
        let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 2 * count)
        defer { scratch.deallocate() }
        var pairs = UnsafeMutableBufferPointer(rebasing: scratch[0..<count])
        var target = UnsafeMutableBufferPointer(rebasing: scratch[count..<(2 * count)])
        hashes.withHalves { hashes in
            for position in 0..<count {
                let words = hashes.words(position)
                let mix = words.0 &* factors.0 &+ words.1 &* factors.1 &+ words.2 &* factors.2 &+ words.3 &* factors.3
                // The high half is the best mixed; positions fit the low half (banks hold < 2^32).
                pairs[position] = mix & 0xFFFF_FFFF_0000_0000 | UInt64(position)
            }
        }
        RadixSort.sort(&pairs, scratch: &target, bits: 32..<64)
        var duplicates: [Duplicate] = []
        var runStart = 0
        while runStart < count {
            var runEnd = runStart + 1
            while runEnd < count, pairs[runEnd] >> 32 == pairs[runStart] >> 32 {
                runEnd += 1
            }
            if runEnd - runStart > 1 {
                // Positions ascend within a run, so the first of each distinct hash is its keeper.
                var keepers: [Int] = []
                for slot in runStart..<runEnd {
                    let position = Int(pairs[slot] & 0xFFFF_FFFF)
                    if let keeper = keepers.first(where: { hashes[$0] == hashes[position] }) {
                        duplicates.append(Duplicate(position: position, keeper: keeper))
                    } else {
                        keepers.append(position)
                    }
                }
            }
            runStart = runEnd
        }
        duplicates.sort { $0.position < $1.position }
        return duplicates
    }

    private static func randomOdd() -> UInt64 {
        UInt64.random(in: 0...UInt64.max) | 1
    }
}
