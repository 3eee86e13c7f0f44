import Foundation

/// Splits a file's bytes into lines without decoding them, so a hostile file (a multi-megabyte
/// line, binary data) costs one pass over bytes and never becomes a huge `String`, and a list of
/// millions of lines allocates nothing per line.
enum LineSplitter {
    /// Calls `body` with the 1-based number and the byte range (without its LF or CRLF terminator)
    /// of each line of `bytes`, and returns the number of lines. A final line without a terminator
    /// counts; the empty remainder after a final terminator does not.
    static func forEachLine<Failure: Error>(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ body: (_ number: Int, _ range: Range<Int>) throws(Failure) -> Void
    ) throws(Failure) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var position = 0
        var number = 0
        while position < bytes.count {
            number += 1
            // memchr scans many bytes a cycle, and keeps debug builds fast on a 10 MB line.
            let end: Int
            if let newline = memchr(base + position, 0x0A, bytes.count - position) {
                end = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(newline))
            } else {
                end = bytes.count
            }
            var contentEnd = end
            if contentEnd > position, bytes[contentEnd - 1] == 0x0D {
                contentEnd -= 1
            }
            try body(number, position..<contentEnd)
            position = end + 1
        }
        return number
    }
}
