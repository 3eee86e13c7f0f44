import VigilHash

/// A set of known hashes, loaded from one or more files, with duplicates merged.
public struct Bank: Sendable {
    /// The bank's name, for reports.
    public var name: String
    /// One entry per distinct hash, in order of first appearance.
    public private(set) var entries: [BankEntry]
    /// The known videos, in load order.
    public var videos: [BankVideo]
    /// What loading read and produced.
    public var stats: BankStats

    private var positions: [PDQHash: Int]

    /// Creates a bank. Entries must carry distinct hashes; when two carry the same hash the later
    /// one is ignored by `entry(for:)`, so merge duplicates first (the loader does).
    public init(name: String, entries: [BankEntry], videos: [BankVideo] = [], stats: BankStats = BankStats()) {
        self.name = name
        self.entries = entries
        self.videos = videos
        self.stats = stats
        var positions = [PDQHash: Int](minimumCapacity: entries.count)
        for (position, entry) in entries.enumerated() where positions[entry.hash] == nil {
            positions[entry.hash] = position
        }
        self.positions = positions
    }

    /// The entry with exactly this hash, if any.
    public func entry(for hash: PDQHash) -> BankEntry? {
        positions[hash].map { entries[$0] }
    }

    /// The video with this id, if any.
    public func video(id: String) -> BankVideo? {
        videos.first { $0.id == id }
    }
}
