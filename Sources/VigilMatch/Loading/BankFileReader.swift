import Foundation

/// Reads a bank file from disk into a ``BankFileParser`` in blocks of a few megabytes, so a list
/// of 650 MB never sits in memory whole: one block buffer is reused from start to end.
enum BankFileReader {
    /// Bytes read at a time. Much longer than any acceptable line (4096 bytes), so a block without
    /// a newline can only hold part of a line that is refused anyway.
    static let defaultBlockSize = 8 << 20

    /// Parses the file at `path`, reading `blockSize` bytes at a time (at least twice the
    /// longest acceptable line).
    static func parse(_ path: String, skipInvalid: Bool, blockSize: Int = defaultBlockSize) throws(BankError) -> ParsedFile {
        precondition(blockSize > 2 * LineChecks.maximumLineBytes, "a block holds at least two of the longest lines")
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw BankError(file: path, line: nil, problem: .unreadable(String(cString: strerror(errno))))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw BankError(file: path, line: nil, problem: .unreadable(String(cString: strerror(errno))))
        }
        var parser = BankFileParser(file: path, skipInvalid: skipInvalid, expectedBytes: Int(status.st_size))
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: blockSize)
        defer { buffer.deallocate() }
        var carried = 0
        var atStart = true
        // Set while the rest of an over-long line is being skipped.
        var skippingLine = false
        while true {
            let (read, failure) = fill(UnsafeMutableBufferPointer(rebasing: buffer[carried...]), from: descriptor)
            if let failure {
                throw BankError(file: path, line: nil, problem: .unreadable(String(cString: strerror(failure))))
            }
            let available = carried + read
            let ended = carried + read < blockSize
            var start = 0
            if atStart {
                start = try parser.byteOrderMarkLength(UnsafeBufferPointer(rebasing: buffer[..<available]))
                atStart = false
            }
            if skippingLine {
                guard let newline = firstNewline(buffer, in: start..<available) else {
                    carried = 0
                    if ended { break }
                    continue
                }
                skippingLine = false
                start = newline + 1
            }
            if ended {
                try parser.consumeLines(UnsafeBufferPointer(rebasing: buffer[start..<available]))
                break
            }
            guard let lastNewline = lastNewline(buffer, in: start..<available) else {
                // A whole block without a line end: the line is far over the limit.
                try parser.skipOverlongLine()
                skippingLine = true
                carried = 0
                continue
            }
            try parser.consumeLines(UnsafeBufferPointer(rebasing: buffer[start...lastNewline]))
            // The unfinished last line moves to the front, to be completed by the next block.
            carried = available - (lastNewline + 1)
            if carried > 0 {
                UnsafeMutableRawPointer(buffer.baseAddress!).copyMemory(
                    from: buffer.baseAddress! + lastNewline + 1, byteCount: carried)
            }
        }
        return parser.finish()
    }

    /// Reads into `buffer` until it is full or the file ends: the bytes read, or the error.
    private static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, from descriptor: Int32) -> (Int, Int32?) {
        var filled = 0
        while filled < buffer.count {
            let count = Foundation.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                return (filled, errno)
            }
            if count == 0 { break }
            filled += count
        }
        return (filled, nil)
    }

    private static func firstNewline(_ buffer: UnsafeMutableBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
        guard !range.isEmpty, let found = memchr(buffer.baseAddress! + range.lowerBound, 0x0A, range.count) else { return nil }
        return UnsafeRawPointer(buffer.baseAddress!).distance(to: UnsafeRawPointer(found))
    }

    private static func lastNewline(_ buffer: UnsafeMutableBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
        // Lines are short, so a backward scan finds one within a few bytes.
        range.reversed().first { buffer[$0] == 0x0A }
    }
}
