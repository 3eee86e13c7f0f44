import Foundation
import VigilHash

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

    private var lineCount = 0

    private var hasHeader: Bool {
        if case .header = mode { return true }
        return false
    }

    /// Parses a whole file held in memory.
    static func parse(_ bytes: [UInt8], file: String, skipInvalid: Bool) throws(BankError) -> ParsedFile {
        var parser = BankFileParser(file: file, skipInvalid: skipInvalid, expectedBytes: bytes.count)
        try bytes.withUnsafeBufferPointer { buffer throws(BankError) in
            let start = try parser.byteOrderMarkLength(buffer)
            try parser.consumeLines(UnsafeBufferPointer(rebasing: buffer[start...]))
        }
        return parser.finish()
    }

    /// A parser for `file`, expected to hold about `expectedBytes` bytes.
    init(file: String, skipInvalid: Bool, expectedBytes: Int) {
        self.skipInvalid = skipInvalid
        result = ParsedFile(file: file)
        // Every hash line holds at least 64 bytes: room for them all at once, so a large list
        // never copies its entries into ever larger arrays (fresh memory is slow to touch).
        result.reserveCapacity(expectedBytes / 64 + 1)
    }

    /// How many bytes at the start of the file are a UTF-8 byte order mark (0 or 3); throws for
    /// a UTF-16 one. `prefix` is the start of the file (at least its first 3 bytes, unless the
    /// file is shorter).
    func byteOrderMarkLength(_ prefix: UnsafeBufferPointer<UInt8>) throws(BankError) -> Int {
        if prefix.starts(with: [0xFF, 0xFE]) || prefix.starts(with: [0xFE, 0xFF]) {
            throw BankError(file: result.file, line: nil, problem: .utf16(bigEndian: prefix[0] == 0xFE))
        }
        return prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Reads the next lines of the file: `buffer` holds whole lines, each ended by a newline
    /// except perhaps the last line of the file.
    mutating func consumeLines(_ buffer: UnsafeBufferPointer<UInt8>) throws(BankError) {
        let firstNumber = lineCount
        let file = result.file
        let count = try LineSplitter.forEachLine(in: buffer) { relative, range throws(BankError) in
            let number = firstNumber + relative
            guard number <= Int(UInt32.max) else {
                throw BankError(file: file, line: nil, problem: .unreadable("more than \(UInt32.max) lines"))
            }
            if !acceptPlainHash(buffer.baseAddress! + range.lowerBound, count: range.count, line: number) {
                try consume(ArraySlice(UnsafeBufferPointer(rebasing: buffer[range])), number: number)
            }
        }
        lineCount += count
    }

    /// Counts the next line as too long without reading it (the reader skips its bytes).
    mutating func skipOverlongLine() throws(BankError) {
        lineCount += 1
        try reject(.lineTooLong(limit: LineChecks.maximumLineBytes), line: lineCount)
    }

    /// What the file held.
    func finish() -> ParsedFile {
        var result = self.result
        result.lineCount = lineCount
        return result
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
            if !hasHeader, fields.count == 1, let (type, value) = ExchangeSignal.localFileLine(fields[0]) {
                mode = .headerless
                return accept(try ExchangeSignal.read(type: type, value: value, label: nil, metadata: [:]), line: number)
            }
            switch mode {
            case .header(let header) where header.signalTypeColumn != nil:
                accept(try header.signal(fields), line: number)
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

    /// Takes a line that is exactly 64 hex digits in a file without a header, the shape of nearly
    /// every line of a large list, straight from its bytes; false for any other line, which then
    /// goes through the general path (and gets its error there).
    private mutating func acceptPlainHash(_ bytes: UnsafePointer<UInt8>, count: Int, line: Int) -> Bool {
        guard count == 64 else { return false }
        switch mode {
        case .header:
            return false
        case .undecided, .headerless:
            guard let hash = PDQHash(hexDigits: bytes) else { return false }
            mode = .headerless
            separatedSinceLastFrame = true
            lastComment = nil
            result.append(hash, quality: BankEntries.noQuality, line: line)
            return true
        }
    }

    private mutating func accept(_ signal: ExchangeSignal, line: Int) {
        switch signal {
        case .pdq(let record):
            accept(record, line: line)
        case .fileDigest(var entry):
            entry.sources = [SourceLocation(file: result.file, line: line)]
            result.fileDigests.append(entry)
        case .unsupported(let type):
            result.skippedSignals[type, default: 0] += 1
        }
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
        let quality = record.quality.map { UInt8(clamping: $0) } ?? BankEntries.noQuality
        let saysMore = record.id != nil || record.label != nil || !record.metadata.isEmpty || video != nil
        result.append(record.hash, quality: quality, line: line,
                      detail: saysMore ? ParsedFile.Detail(record: record, video: video) : nil)
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
