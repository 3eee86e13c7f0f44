import VigilHash

/// A bank's entries, stored by column so that a list of millions of plain hashes costs a few flat
/// arrays rather than an object per entry.
///
/// Every entry has a hash, an optional quality and the file and line that first gave it. What
/// only some entries have (ids, a label, other columns, further lines with the same hash, video
/// frames) sits in a side table keyed by position. Reading an entry assembles a ``BankEntry``.
public struct BankEntries: RandomAccessCollection, Sendable {
    /// What an entry has beyond its hash, quality and first source line.
    struct Details: Sendable {
        var ids: [String] = []
        var label: String?
        var metadata: [String: String] = [:]
        /// Sources after the first.
        var laterSources: [SourceLocation] = []
        var videoFrames: [VideoFrameRef] = []
    }

    /// Marks an unknown quality in ``qualities``.
    static let noQuality = UInt8.max

    /// Each entry's hash, in entry order (shared with the bank's index).
    public let hashes: HashColumn
    let qualities: [UInt8]
    /// Line number of each entry's first source; 0 for an entry without a source.
    let sourceLines: [UInt32]
    /// The file of each entry's first source, by runs: entries from `fileRuns[k].start` up to
    /// the next run's start came first from `fileRuns[k].file` (loading adds files in turn, so
    /// a bank from n files has n runs).
    let fileRuns: [FileRun]
    let details: [UInt32: Details]

    /// Where a run of entries first came from.
    struct FileRun: Sendable {
        var start: Int
        var file: String
    }

    init(hashes: HashColumn, qualities: [UInt8], sourceLines: [UInt32], fileRuns: [FileRun], details: [UInt32: Details]) {
        self.hashes = hashes
        self.qualities = qualities
        self.sourceLines = sourceLines
        self.fileRuns = fileRuns
        self.details = details
    }

    /// Stores whole entries by column (for banks built in code rather than loaded).
    init(_ entries: [BankEntry]) {
        var hashes = HashColumn(), qualities: [UInt8] = [], sourceLines: [UInt32] = []
        var fileRuns: [FileRun] = []
        var details: [UInt32: Details] = [:]
        for entry in entries {
            let position = hashes.count
            hashes.append(entry.hash)
            qualities.append(entry.quality.map { UInt8(clamping: Swift.min($0, 254)) } ?? Self.noQuality)
            var laterSources = Array(entry.sources.dropFirst())
            if let first = entry.sources.first, first.line > 0, first.line <= Int(UInt32.max) {
                if fileRuns.last?.file != first.file {
                    fileRuns.append(FileRun(start: position, file: first.file))
                }
                sourceLines.append(UInt32(first.line))
            } else {
                // A source without a usable line number is kept with the later ones.
                laterSources = entry.sources
                sourceLines.append(0)
            }
            let extra = Details(ids: entry.ids, label: entry.label, metadata: entry.metadata,
                                laterSources: laterSources, videoFrames: entry.videoFrames)
            if !extra.isEmpty {
                details[UInt32(position)] = extra
            }
        }
        self.init(hashes: hashes, qualities: qualities, sourceLines: sourceLines, fileRuns: fileRuns, details: details)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { hashes.count }

    /// The entry at `position`, assembled from the columns.
    public subscript(position: Int) -> BankEntry {
        var entry = BankEntry(hash: hashes[position], quality: quality(at: position))
        if sourceLines[position] != 0 {
            entry.sources = [SourceLocation(file: file(of: position), line: Int(sourceLines[position]))]
        }
        if let extra = details[UInt32(position)] {
            entry.ids = extra.ids
            entry.label = extra.label
            entry.metadata = extra.metadata
            entry.sources += extra.laterSources
            entry.videoFrames = extra.videoFrames
        }
        return entry
    }

    /// The file of the first source of the entry at `position` (which has one).
    func file(of position: Int) -> String {
        var low = 0
        var high = fileRuns.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if fileRuns[middle].start <= position {
                low = middle
            } else {
                high = middle - 1
            }
        }
        return fileRuns[low].file
    }

    /// Positions of the entries whose lines said more than a hash and a quality, ascending.
    var positionsWithDetails: [UInt32] { details.keys.sorted() }

    /// Whether every line of the entry at `position` was marked known benign by an exchange
    /// (category `NEGATIVE_CLASS`): an allow entry, even in a bank of known material. An entry
    /// also given another category (an exchange would call it disputed) stays a known entry.
    func isKnownBenign(_ position: Int) -> Bool {
        details[UInt32(position)]?.metadata["category"] == ExchangeSignal.negativeCategory
    }

    /// The quality of the entry at `position`, without assembling the entry.
    public func quality(at position: Int) -> Int? {
        qualities[position] == Self.noQuality ? nil : Int(qualities[position])
    }
}

extension BankEntries.Details {
    var isEmpty: Bool {
        ids.isEmpty && label == nil && metadata.isEmpty && laterSources.isEmpty && videoFrames.isEmpty
    }
}
