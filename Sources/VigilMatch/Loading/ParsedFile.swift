/// Everything read from one bank file, before it is merged with the other files of the bank.
struct ParsedFile {
    /// A video found in the file: a run of vPDQ lines.
    struct Video {
        /// The text of the comment line just before the video's first frame, if any.
        var comment: String?
        var frames: [VideoFrameHash] = []
    }

    /// An accepted line and where it was.
    struct Entry {
        var record: LineRecord
        var line: Int
        /// Index into `videos` for vPDQ lines.
        var video: Int?
    }

    var file: String
    var lineCount = 0
    var entries: [Entry] = []
    var videos: [Video] = []
    var issues: [BankIssue] = []
}
