import Foundation

/// A physical line of a bank file, as a byte range of the file.
struct RawLine {
    /// 1-based line number.
    var number: Int
    /// The line's bytes without its terminator (LF, or CRLF).
    var range: Range<Int>
}

/// Splits a file's bytes into lines without decoding them, so a hostile file (a multi-megabyte
/// line, binary data) costs one pass over bytes and never becomes a huge `String`.
enum LineSplitter {
    /// Lines of `bytes` starting at byte `start` (after a byte order mark). A final line without a
    /// terminator counts; the empty remainder after a final terminator does not.
    static func lines(in bytes: [UInt8], from start: Int) -> [RawLine] {
        bytes.withUnsafeBytes { raw -> [RawLine] in
            guard let base = raw.baseAddress else { return [] }
            var lines: [RawLine] = []
            var position = start
            var number = 0
            while position < raw.count {
                number += 1
                // memchr keeps the scan fast even in debug builds, where a byte loop over a
                // 10 MB line would take noticeably long.
                let end: Int
                if let newline = memchr(base + position, 0x0A, raw.count - position) {
                    end = base.distance(to: UnsafeRawPointer(newline))
                } else {
                    end = raw.count
                }
                var contentEnd = end
                if contentEnd > position, raw[contentEnd - 1] == 0x0D {
                    contentEnd -= 1
                }
                lines.append(RawLine(number: number, range: position..<contentEnd))
                position = end + 1
            }
            return lines
        }
    }
}
