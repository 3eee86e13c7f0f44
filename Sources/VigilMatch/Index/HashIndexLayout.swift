/// How a ``HashIndex`` splits the 256 hash bits into substrings, one lookup table per substring.
///
/// Multi-index hashing rests on the pigeonhole principle: if two hashes differ in at most `r` bits
/// and the bits are cut into `m` disjoint substrings, some substring differs in at most
/// `r / m` bits (rounded down). Looking up every key within that small radius in every table finds
/// every candidate; checking the full distance of each candidate makes the result exact.
///
/// More substrings mean shorter keys (fuller buckets) but a smaller per-table radius (fewer keys to
/// probe). ``HashIndexLayout/choose(count:radius:)`` picks the cheapest by a simple cost model, and
/// ``linearScan`` when even the best layout would touch more data than reading every hash.
public enum HashIndexLayout: Sendable, Equatable, CustomStringConvertible {
    /// No tables: every query compares against every hash (small banks, very large radii).
    case linearScan
    /// `substrings` lookup tables over disjoint substrings of 256 / `substrings` bits (rounded).
    case multiIndex(substrings: Int)

    /// Longest key a table may use: dense bucket offsets for 2^24 keys take about 34 MiB per table (64
    /// when packed offsets cannot hold the buckets, see ``BucketOffsets``).
    static let maximumKeyBits = 24
    /// Shortest key worth a table.
    static let minimumKeyBits = 8

    /// Substring counts whose keys fit the table limits (11 to 32 substrings of 24 to 8 bits).
    public static let substringCounts = (256 + maximumKeyBits - 1) / maximumKeyBits...(256 / minimumKeyBits)

    public var description: String {
        switch self {
        case .linearScan: return "linear scan"
        case .multiIndex(let substrings): return "multi-index (\(substrings) substrings)"
        }
    }

    /// The bit ranges of the substrings: `substrings` nearly equal, contiguous, covering all 256 bits.
    static func substringRanges(_ substrings: Int) -> [Range<Int>] {
        let base = 256 / substrings
        let longer = 256 % substrings
        var ranges: [Range<Int>] = []
        var start = 0
        for index in 0..<substrings {
            let length = base + (index < longer ? 1 : 0)
            ranges.append(start..<(start + length))
            start += length
        }
        return ranges
    }

    /// Expected relative cost of one query, in units of one random memory access.
    ///
    /// Every candidate costs a fetch of its hash from a large array; a probe costs a read of the
    /// bucket offsets, which stay in cache when the table is small. A linear scan reads hashes
    /// sequentially, about twenty times cheaper each.
    static func estimatedCost(_ layout: HashIndexLayout, count: Int, radius: Int) -> Double {
        switch layout {
        case .linearScan:
            return Double(count) * 0.05
        case .multiIndex(let substrings):
            let perTableRadius = max(radius, 0) / substrings
            var cost = 0.0
            for range in substringRanges(substrings) {
                let keyBits = range.count
                let probes = (0...min(perTableRadius, keyBits)).reduce(0.0) { $0 + binomial(keyBits, $1) }
                let probeCost = (4 << keyBits) <= cacheFriendlyOffsetBytes ? 0.1 : 1.0
                let bucketSize = Double(count) / Double(1 << keyBits)
                cost += probes * (probeCost + bucketSize)
            }
            return cost
        }
    }

    /// Bucket offsets up to this size are assumed to stay in the CPU caches.
    static let cacheFriendlyOffsetBytes = 1 << 20

    /// Longest key worth using for `count` hashes: longer keys leave most buckets empty, and the
    /// offsets table (2 bytes a bucket, or 4) would outweigh the entries.
    static func maximumKeyBits(count: Int) -> Int {
        let log2Count = Int.bitWidth - 1 - max(count, 1).leadingZeroBitCount
        return min(maximumKeyBits, max(minimumKeyBits, log2Count))
    }

    /// The cheapest layout for `count` hashes queried at `radius`, among those whose tables take
    /// memory in proportion to the bank.
    public static func choose(count: Int, radius: Int) -> HashIndexLayout {
        var best = HashIndexLayout.linearScan
        var bestCost = estimatedCost(.linearScan, count: count, radius: radius)
        let keyLimit = maximumKeyBits(count: count)
        for substrings in substringCounts where (256 + substrings - 1) / substrings <= keyLimit {
            let layout = HashIndexLayout.multiIndex(substrings: substrings)
            let cost = estimatedCost(layout, count: count, radius: radius)
            if cost < bestCost {
                best = layout
                bestCost = cost
            }
        }
        return best
    }

    private static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        var result = 1.0
        for i in 0..<k { result = result * Double(n - i) / Double(i + 1) }
        return result
    }
}
