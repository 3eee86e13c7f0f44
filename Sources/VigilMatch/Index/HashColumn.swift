import VigilHash

/// A column of PDQ hashes, stored as two arrays: the low 128 bits of every hash, and the high 128.
///
/// A bank's entries and its index share one column. The split is for searches: a hash unrelated
/// to the query is ruled out by its low half alone (two words differ in about 64 of their 128
/// bits; a match differs in at most the radius), and the low halves of a bank of a million hashes
/// fit the processor's cache where the whole hashes would not.
public struct HashColumn: RandomAccessCollection, Sendable {
    /// Words 0 and 1 of each hash.
    private(set) var low: [UInt64] = []
    /// Words 2 and 3 of each hash.
    private(set) var high: [UInt64] = []

    /// An empty column.
    public init() {}

    /// A column holding `hashes`, in order.
    public init(_ hashes: some Sequence<PDQHash>) {
        for hash in hashes {
            append(hash)
        }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { low.count / 2 }

    /// The hash at `position`.
    public subscript(position: Int) -> PDQHash {
        PDQHash(words: (low[2 * position], low[2 * position + 1], high[2 * position], high[2 * position + 1]))
    }

    /// Appends a hash.
    public mutating func append(_ hash: PDQHash) {
        low.append(hash.words.0)
        low.append(hash.words.1)
        high.append(hash.words.2)
        high.append(hash.words.3)
    }

    /// Appends every hash of another column.
    public mutating func append(contentsOf other: HashColumn) {
        low += other.low
        high += other.high
    }

    /// Room for `count` hashes in all.
    public mutating func reserveCapacity(_ count: Int) {
        low.reserveCapacity(2 * count)
        high.reserveCapacity(2 * count)
    }

    /// Hashes already held, in bytes.
    var memoryBytes: Int { (low.count + high.count) * 8 }

    /// Runs `body` with pointers to the two halves.
    func withHalves<Result>(_ body: (HashHalves) -> Result) -> Result {
        low.withUnsafeBufferPointer { low in
            high.withUnsafeBufferPointer { high in
                // An empty column still gets valid (never read) pointers.
                withUnsafePointer(to: 0 as UInt64) { zero in
                    body(HashHalves(low: low.baseAddress ?? zero, high: high.baseAddress ?? zero))
                }
            }
        }
    }
}

/// Pointers to the two halves of a ``HashColumn``, two words an entry each.
struct HashHalves {
    let low: UnsafePointer<UInt64>
    let high: UnsafePointer<UInt64>

    /// The hash at `entry`, as four words.
    @inline(__always)
    func words(_ entry: Int) -> (UInt64, UInt64, UInt64, UInt64) {
        (low[2 * entry], low[2 * entry + 1], high[2 * entry], high[2 * entry + 1])
    }

    /// The distance from `entry` to `query` when it is at most `radius`, else nil; the high half
    /// is only read when the low half leaves the entry in range.
    @inline(__always)
    func distance(_ entry: Int, to query: (UInt64, UInt64, UInt64, UInt64), within radius: Int) -> Int? {
        let lowDistance = (low[2 * entry] ^ query.0).nonzeroBitCount + (low[2 * entry + 1] ^ query.1).nonzeroBitCount
        if lowDistance > radius { return nil }
        let distance = lowDistance + (high[2 * entry] ^ query.2).nonzeroBitCount + (high[2 * entry + 1] ^ query.3).nonzeroBitCount
        return distance <= radius ? distance : nil
    }
}
