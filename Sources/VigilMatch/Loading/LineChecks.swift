/// Byte-level checks every line passes before it is read as text.
enum LineChecks {
    /// Longest accepted line. A CSV line with a hash, an id, a label and some metadata fits many
    /// times over; anything longer is not a hash list, and refusing it bounds per-line work.
    static let maximumLineBytes = 4096

    /// What is wrong with the line's bytes, or nil when it is acceptable UTF-8 text.
    static func problem(in line: ArraySlice<UInt8>) -> BankProblem? {
        if line.count > maximumLineBytes {
            return .lineTooLong(limit: maximumLineBytes)
        }
        if let nul = line.firstIndex(of: 0) {
            return .nulByte(column: nul - line.startIndex + 1)
        }
        if let invalid = firstInvalidUTF8Offset(line) {
            return .invalidUTF8(column: invalid + 1)
        }
        return nil
    }

    /// Offset of the first byte that does not start a valid UTF-8 sequence, nil when all are valid.
    private static func firstInvalidUTF8Offset(_ line: ArraySlice<UInt8>) -> Int? {
        // Pure ASCII is by far the common case and needs no decoding.
        if line.allSatisfy({ $0 < 0x80 }) {
            return nil
        }
        var iterator = line.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar):
                offset += scalar.count
            case .emptyInput:
                return nil
            case .error:
                return offset
            }
        }
    }
}
