import VigilHash

/// A query hash found near a bank entry.
public struct BankMatch: Sendable {
    /// The bank's name.
    public var bank: String
    /// The entry matched.
    public var entry: BankEntry
    /// Hamming distance between the query and the entry.
    public var distance: Int

    public init(bank: String, entry: BankEntry, distance: Int) {
        self.bank = bank
        self.entry = entry
        self.distance = distance
    }
}

extension BankEntry {
    /// How reports name this entry: its first id; else its video frame (`video#frame`); else the
    /// file and line it came from.
    public var reference: String {
        if let id = ids.first { return id }
        if let frame = videoFrames.first { return "\(frame.videoID)#\(frame.frameNumber)" }
        return sources.first?.description ?? hash.hex
    }

    /// Whether some line gave this hash as a still image rather than as a video frame. A frame-level
    /// match against such an entry is a finding on its own; matches against video frames feed the
    /// video-level rule instead.
    public var isImage: Bool {
        sources.count > videoFrames.count
    }
}
