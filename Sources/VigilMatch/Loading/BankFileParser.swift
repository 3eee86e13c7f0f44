import Foundation

/// Reads one bank file's bytes: detects its format from content, checks every line, and either
/// fails on the first invalid line or, when lenient, records it and goes on.
struct BankFileParser {
    private enum Mode {
        /// No data line seen yet: the first one decides between a header and headerless lines.
        case undecided
        case headerless
        case header(CSVHeader)
    }

    private let skipInvalid: Bool
    private var result: ParsedFile
    private var mode = Mode.undecided
    // Video grouping: vPDQ lines form one video until the frame numbers start over.
    private var currentVideo: Int?
    private var lastFrameNumber = 0
    private var separatedSinceLastFrame = false
    private var lastComment: String?

    /// Parses a whole file.
    static func parse(_ bytes: [UInt8], file: String, skipInvalid: Bool) throws(BankError) -> ParsedFile {
        var start = 0
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw BankError(file: file, line: nil, problem: .utf16(bigEndian: bytes[0] == 0xFE))
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            start = 3
        }
        let lines = LineSplitter.lines(in: bytes, from: start)
        var parser = BankFileParser(skipInvalid: skipInvalid, result: ParsedFile(file: file))
        for line in lines {
            try parser.consume(bytes[line.range], number: line.number)
        }
        parser.result.lineCount = lines.count
        return parser.result
    }

    private init(skipInvalid: Bool, result: ParsedFile) {
        self.skipInvalid = skipInvalid
        self.result = result
    }

    private mutating func consume(_ line: ArraySlice<UInt8>, number: Int) throws(BankError) {
        if let problem = LineChecks.problem(in: line) {
            return try reject(problem, line: number)
        }
        guard let first = line.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else {
            return
        }
        if line[first] == UInt8(ascii: "#") {
            noteComment(String(decoding: line[(first + 1)...], as: UTF8.self))
            return
        }
        do throws(BankProblem) {
            let fields = try CSVFields.split(line)
            switch mode {
            case .header(let header):
                accept(try header.record(fields), line: number)
            case .headerless:
                accept(try HeaderlessLine.record(fields), line: number)
            case .undecided:
                try decide(fields, line: number)
            }
        } catch {
            try reject(error, line: number)
        }
    }

    /// Decides the file's format from its first data line: data when it reads as data, otherwise
    /// a header when it names a hash column.
    private mutating func decide(_ fields: [String], line: Int) throws(BankProblem) {
        let record: LineRecord
        do throws(BankProblem) {
            record = try HeaderlessLine.record(fields)
        } catch let dataProblem {
            switch CSVHeader.detect(fields) {
            case .header(let header):
                mode = .header(header)
                return
            case .notHeader:
                throw dataProblem
            case .invalid(let headerProblem):
                // Without its header no row of the file can be read, so this fails the load
                // even when invalid lines are being skipped.
                throw headerProblem
            }
        }
        mode = .headerless
        accept(record, line: line)
    }

    private mutating func accept(_ record: LineRecord, line: Int) {
        var video: Int?
        if let frame = record.frame {
            let index = videoIndex(for: frame.number)
            video = index
            result.videos[index].frames.append(VideoFrameHash(
                hash: record.hash, quality: frame.quality, frameNumber: frame.number,
                timestampSeconds: frame.timestampSeconds))
            lastFrameNumber = frame.number
            separatedSinceLastFrame = false
        } else {
            separatedSinceLastFrame = true
        }
        lastComment = nil
        result.entries.append(ParsedFile.Entry(record: record, line: line, video: video))
    }

    /// The video a frame line belongs to. Frame numbers that start over mean a new video: files
    /// concatenated, or `vigil hash` output for several videos, where a `# path` comment precedes
    /// each. Repeated numbers stay in one video, since `--dihedral` writes 8 lines per frame.
    private mutating func videoIndex(for frameNumber: Int) -> Int {
        if let currentVideo {
            let startsOver = frameNumber < lastFrameNumber
                || (separatedSinceLastFrame && frameNumber <= lastFrameNumber)
            if !startsOver {
                return currentVideo
            }
        }
        result.videos.append(ParsedFile.Video(comment: lastComment))
        currentVideo = result.videos.count - 1
        return result.videos.count - 1
    }

    private mutating func noteComment(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        lastComment = trimmed.isEmpty ? nil : trimmed
        if currentVideo != nil {
            separatedSinceLastFrame = true
        }
    }

    private mutating func reject(_ problem: BankProblem, line: Int) throws(BankError) {
        let fatal: Bool
        switch problem {
        case .missingHashColumn, .conflictingHashColumns, .duplicateColumn:
            fatal = true
        default:
            fatal = false
        }
        guard skipInvalid, !fatal else {
            throw BankError(file: result.file, line: line, problem: problem)
        }
        result.issues.append(BankIssue(file: result.file, line: line, problem: problem))
    }
}
