import VigilMatch

/// An input whose bytes are exactly a known file: its MD5 equals a bank's `video_md5` entry.
public struct FileMatch: Sendable, Equatable {
    /// The bank holding the digest.
    public var bank: String
    /// The known file's entry.
    public var entry: FileDigestEntry

    /// Creates a match.
    public init(bank: String, entry: FileDigestEntry) {
        self.bank = bank
        self.entry = entry
    }
}
