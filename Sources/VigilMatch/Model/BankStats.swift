/// What loading a bank read and made of it, for logs and for spotting a bank that is not what the
/// operator thinks it is (empty, mostly duplicates, mostly low quality).
public struct BankStats: Sendable, Hashable, CustomStringConvertible {
    /// Quality below which a PDQ hash is considered unreliable (the threshold PDQ and vPDQ use).
    public static let lowQualityThreshold = 50

    /// Files parsed, including empty ones.
    public var filesRead = 0
    /// Physical lines in those files, including blank and comment lines.
    public var linesRead = 0
    /// Hash lines accepted, before duplicates were merged.
    public var entriesBeforeMerging = 0
    /// Distinct hashes: the number of entries in the bank.
    public var entriesAfterMerging = 0
    /// Lines whose hash an earlier line already carried (`entriesBeforeMerging - entriesAfterMerging`).
    public var duplicatesMerged = 0
    /// Entries whose quality is known and below `lowQualityThreshold`.
    public var lowQualityEntries = 0
    /// Invalid lines skipped (only with `skipInvalid`; otherwise the first one fails the load).
    public var skippedLines = 0
    /// Known videos read from vPDQ lines.
    public var videos = 0
    /// vPDQ frame lines across all videos.
    public var videoFrames = 0
    /// Known files by MD5 (distinct digests), and the lines that gave them.
    public var fileDigests = 0
    public var fileDigestLines = 0
    /// Exchange signals of types Vigil does not match on (text, URLs...), skipped, by type.
    public var skippedSignals: [String: Int] = [:]
    /// Inputs that yielded no hash at all (empty files, files of comments, empty folders), so an
    /// empty bank is reported rather than silently matching nothing.
    public var emptyInputs: [String] = []

    /// Creates empty statistics.
    public init() {}

    /// Whether the bank holds no hash at all.
    public var isEmpty: Bool { entriesAfterMerging == 0 && fileDigests == 0 }

    /// One line for logs, e.g. `2 files, 1452 lines, 1350 entries (0 duplicates merged), ...`.
    public var description: String {
        var text = "\(filesRead) file\(filesRead == 1 ? "" : "s"), \(linesRead) lines, "
            + "\(entriesAfterMerging) entries (\(duplicatesMerged) duplicates merged), "
            + "\(lowQualityEntries) below quality \(Self.lowQualityThreshold), \(skippedLines) lines skipped"
        if videos > 0 {
            text += ", \(videos) video\(videos == 1 ? "" : "s") (\(videoFrames) frames)"
        }
        if fileDigests > 0 {
            text += ", \(fileDigests) file MD5\(fileDigests == 1 ? "" : "s")"
        }
        if !skippedSignals.isEmpty {
            text += ", signals skipped: " + skippedSignals.keys.sorted().map { "\($0) \(skippedSignals[$0] ?? 0)" }.joined(separator: ", ")
        }
        if isEmpty {
            text += "; the bank is empty"
        }
        if !emptyInputs.isEmpty {
            text += "; no hashes in: " + emptyInputs.joined(separator: ", ")
        }
        return text
    }
}
