import VigilHash

/// An exact radius search over a fixed set of PDQ hashes.
///
/// Every hash within the radius is returned — the same result as comparing the query with every
/// hash — but through multi-index hashing (see ``HashIndexLayout``) a query touches only a few
/// thousand hashes of a bank of millions. Memory is a few flat arrays: the hashes (32 bytes each),
/// and per table one `UInt32` entry number per hash plus dense bucket offsets; no object per entry.
///
/// An index is immutable once built, so any number of threads may query it at once. To replace a
/// bank while queries run, build a new index and publish it through ``HotSwappable``.
public final class HashIndex: Sendable {
    /// How the index is organised.
    public let layout: HashIndexLayout
    /// Number of hashes.
    public let count: Int
    /// The hashes, four words each, in entry order.
    private let words: [UInt64]
    private let tables: [SubstringTable]

    /// Indexes `hashes` for queries around `radius` (it only tunes the layout: queries at any
    /// radius are exact).
    public convenience init(_ hashes: [PDQHash], designRadius radius: Int = 31) {
        self.init(hashes, layout: HashIndexLayout.choose(count: hashes.count, radius: radius))
    }

    /// Indexes `hashes` with an explicit layout.
    public init(_ hashes: [PDQHash], layout: HashIndexLayout) {
        precondition(hashes.count < Int(UInt32.max), "a hash index holds fewer than 2^32 hashes")
        var words = [UInt64](repeating: 0, count: hashes.count * 4)
        for (index, hash) in hashes.enumerated() {
            words[index * 4] = hash.words.0
            words[index * 4 + 1] = hash.words.1
            words[index * 4 + 2] = hash.words.2
            words[index * 4 + 3] = hash.words.3
        }
        self.layout = layout
        self.count = hashes.count
        self.words = words
        switch layout {
        case .linearScan:
            tables = []
        case .multiIndex(let substrings):
            precondition(HashIndexLayout.substringCounts.contains(substrings),
                         "multi-index layouts use \(HashIndexLayout.substringCounts) substrings")
            tables = HashIndexLayout.substringRanges(substrings).map { SubstringTable(bits: $0, words: words) }
        }
    }

    /// Bytes of memory the index holds.
    public var memoryBytes: Int {
        words.count * 8 + tables.reduce(0) { $0 + $1.memoryBytes }
    }

    /// The hash of `entry`.
    public func hash(at entry: Int) -> PDQHash {
        PDQHash(words: (words[entry * 4], words[entry * 4 + 1], words[entry * 4 + 2], words[entry * 4 + 3]))
    }

    /// Every hash within `radius` bits of `query`, nearest first (ties by entry).
    public func search(_ query: PDQHash, radius: Int) -> [HashIndexMatch] {
        guard radius >= 0, count > 0 else { return [] }
        var matches: [HashIndexMatch] = []
        words.withUnsafeBufferPointer { words in
            let base = words.baseAddress!
            if tables.isEmpty || Self.linearIsCheaper(layout, count: count, radius: radius) {
                Self.scan(base, count: count, query: query, radius: radius, into: &matches)
            } else {
                for table in tables {
                    table.search(query, radius: radius, perTableRadius: radius / tables.count, hashes: base, into: &matches)
                }
                // A hash close in several substrings is found by several tables.
                if tables.count > 1 && matches.count > 1 {
                    matches.sort { $0.entry < $1.entry }
                    var unique: [HashIndexMatch] = []
                    unique.reserveCapacity(matches.count)
                    for match in matches where unique.last?.entry != match.entry {
                        unique.append(match)
                    }
                    matches = unique
                }
            }
        }
        matches.sort()
        return matches
    }

    /// Searches for each query in turn.
    public func search(_ queries: [PDQHash], radius: Int) -> [[HashIndexMatch]] {
        queries.map { search($0, radius: radius) }
    }

    /// The tables lose to a plain scan at large radii (probes grow combinatorially), whatever
    /// radius the layout was designed for.
    private static func linearIsCheaper(_ layout: HashIndexLayout, count: Int, radius: Int) -> Bool {
        HashIndexLayout.estimatedCost(layout, count: count, radius: radius)
            > HashIndexLayout.estimatedCost(.linearScan, count: count, radius: radius)
    }

    private static func scan(
        _ hashes: UnsafePointer<UInt64>, count: Int, query: PDQHash, radius: Int, into matches: inout [HashIndexMatch]
    ) {
        let (q0, q1, q2, q3) = query.words
        for entry in 0..<count {
            let h = hashes + entry * 4
            // Half the bits rule out almost every unrelated hash before the other half is read.
            let low = (h[0] ^ q0).nonzeroBitCount + (h[1] ^ q1).nonzeroBitCount
            if low > radius { continue }
            let distance = low + (h[2] ^ q2).nonzeroBitCount + (h[3] ^ q3).nonzeroBitCount
            if distance <= radius {
                matches.append(HashIndexMatch(entry: entry, distance: distance))
            }
        }
    }
}
