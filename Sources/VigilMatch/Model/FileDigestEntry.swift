/// A known file by its MD5 (the exchanges' `video_md5` signal): an exact copy of the file, not a
/// look-alike. Lines carrying the same digest become one entry.
public struct FileDigestEntry: Sendable, Equatable {
    /// The digest: 32 lowercase hex digits.
    public var md5: String
    /// The ids of every line that carried it, in load order, without repeats.
    public var ids: [String]
    /// The first label any of its lines gave (for an exchange export, the collaboration).
    public var label: String?
    /// The other columns, by name; disagreeing values joined with `" | "`.
    public var metadata: [String: String]
    /// Every line that carried it, in load order.
    public var sources: [SourceLocation]

    /// Creates an entry.
    public init(md5: String, ids: [String] = [], label: String? = nil, metadata: [String: String] = [:], sources: [SourceLocation] = []) {
        self.md5 = md5
        self.ids = ids
        self.label = label
        self.metadata = metadata
        self.sources = sources
    }

    /// `text` as a digest (32 hex digits, either case), lowercased; nil otherwise.
    public static func digest(_ text: some StringProtocol) -> String? {
        guard text.utf8.count == 32, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }) else {
            return nil
        }
        return text.lowercased()
    }

    /// Folds a later line's entry for the same digest into this one.
    mutating func merge(_ other: FileDigestEntry) {
        for id in other.ids where !ids.contains(id) { ids.append(id) }
        label = label ?? other.label
        for (key, value) in other.metadata {
            metadata[key] = BankAssembler.joined(metadata[key], value)
        }
        sources += other.sources
    }
}
