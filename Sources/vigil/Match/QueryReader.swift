import Foundation
import VigilHash

/// Reads `vigil match` queries from a file descriptor in blocks, so a million queries cost one
/// pass over their bytes, and an interactive or slow writer still gets its answers as each block
/// (often each line) arrives.
///
/// Blank lines and lines starting with `#` are skipped, and only the first comma-separated field
/// of a line is read, spaces and tabs around it ignored. A line over ``maximumLineBytes`` is
/// reported as not a hash and skipped.
struct QueryReader {
    /// A line that held a query, parsed or not.
    struct Query {
        /// 1-based line number.
        var line: Int
        /// The hash, or why the field is not one.
        var hash: Result<PDQHash, PDQHashFormatError>
    }

    private let descriptor: Int32
    private var pending: [UInt8] = []
    /// What each read() fills, allocated once.
    private var block = [UInt8](repeating: 0, count: Self.blockSize)
    private var lineNumber = 0
    private var ended = false
    private var skippingLine = false
    private static let blockSize = 1 << 20

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Longest line read: a query line is a hash and perhaps a few CSV columns. The rest of a
    /// longer line is skipped, so no input can make the reader hold more than a block or two.
    static let maximumLineBytes = 64 << 10

    /// The queries of the next block of complete lines; nil at the end of input.
    mutating func nextBatch() throws -> [Query]? {
        while !ended {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, Self.blockSize) }
            if count < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            if count == 0 {
                ended = true
                // The last line may lack its terminator.
                if !pending.isEmpty && !skippingLine { pending.append(0x0A) }
            } else {
                pending += block[0..<count]
            }
            if skippingLine {
                guard let newline = pending.firstIndex(of: 0x0A) else {
                    pending.removeAll(keepingCapacity: true)
                    continue
                }
                pending.removeSubrange(...newline)
                skippingLine = false
            }
            guard let lastNewline = pending.lastIndex(of: 0x0A) else {
                if pending.count > Self.maximumLineBytes {
                    // Reported as the line's length so far; the rest is skipped unread.
                    lineNumber += 1
                    let query = Query(line: lineNumber, hash: .failure(.wrongLength(pending.count)))
                    pending.removeAll(keepingCapacity: true)
                    skippingLine = true
                    return [query]
                }
                continue
            }
            let queries = parse(pending[...lastNewline])
            pending.removeSubrange(...lastNewline)
            if !queries.isEmpty || ended { return queries }
        }
        return nil
    }

    private mutating func parse(_ bytes: ArraySlice<UInt8>) -> [Query] {
        var queries: [Query] = []
        bytes.withUnsafeBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                var end = start
                while buffer[end] != 0x0A { end += 1 }
                lineNumber += 1
                if let query = Self.query(in: buffer, start..<end, line: lineNumber) {
                    queries.append(query)
                }
                start = end + 1
            }
        }
        return queries
    }

    private static func query(in buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, line: Int) -> Query? {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        var start = range.lowerBound
        while start < range.upperBound, isBlank(buffer[start]) { start += 1 }
        guard start < range.upperBound, buffer[start] != UInt8(ascii: "#") else { return nil }
        var end = start
        while end < range.upperBound, buffer[end] != UInt8(ascii: ",") { end += 1 }
        while end > start, isBlank(buffer[end - 1]) { end -= 1 }
        if end - start == 64, let hash = PDQHash(hexDigits: buffer.baseAddress! + start) {
            return Query(line: line, hash: .success(hash))
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        return Query(line: line, hash: Result { () throws(PDQHashFormatError) in try PDQHash(hex: text) })
    }
}
