import VigilHash

/// Everything read from one bank file, before it is merged with the other files of the bank.
///
/// Accepted lines are kept by column, as ``BankEntries`` keeps them, so a file of millions of
/// plain hashes is three flat arrays that the bank can adopt without copying.
struct ParsedFile {
    /// A video found in the file: a run of vPDQ lines.
    struct Video {
        /// The text of the comment line just before the video's first frame, if any.
        var comment: String?
        var frames: [VideoFrameHash] = []
    }

    /// The rest of an accepted line that said more than a hash and a quality.
    struct Detail {
        var record: LineRecord
        /// Index into `videos` for vPDQ lines.
        var video: Int?
    }

    var file: String
    var lineCount = 0
    /// The hash of each accepted line, in file order.
    var hashes = HashColumn()
    /// Its quality, ``BankEntries/noQuality`` when the line gave none.
    var qualities: [UInt8] = []
    /// Its 1-based line number.
    var lines: [UInt32] = []
    /// By index into the columns: what lines said beyond a hash and a quality.
    var details: [Int: Detail] = [:]
    var videos: [Video] = []
    var issues: [BankIssue] = []
    /// Known files by MD5 (exchange `video_md5` signals), in file order, each with its line.
    var fileDigests: [FileDigestEntry] = []
    /// Exchange signals of types Vigil does not match on, by type.
    var skippedSignals: [String: Int] = [:]

    /// Room for `count` accepted lines.
    mutating func reserveCapacity(_ count: Int) {
        hashes.reserveCapacity(count)
        qualities.reserveCapacity(count)
        lines.reserveCapacity(count)
    }

    /// Appends an accepted line.
    mutating func append(_ hash: PDQHash, quality: UInt8, line: Int, detail: Detail? = nil) {
        if let detail {
            details[hashes.count] = detail
        }
        hashes.append(hash)
        qualities.append(quality)
        lines.append(UInt32(line))
    }
}
