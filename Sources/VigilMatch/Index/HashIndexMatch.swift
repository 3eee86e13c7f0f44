/// One hash found within the query radius.
public struct HashIndexMatch: Hashable, Sendable, Comparable {
    /// Position of the hash in the array the index was built from.
    public var entry: Int
    /// Hamming distance to the query.
    public var distance: Int

    public init(entry: Int, distance: Int) {
        self.entry = entry
        self.distance = distance
    }

    /// Nearest first, then by entry, so results are deterministic.
    public static func < (lhs: HashIndexMatch, rhs: HashIndexMatch) -> Bool {
        (lhs.distance, lhs.entry) < (rhs.distance, rhs.entry)
    }
}
