/// Splits one line into RFC 4180 fields.
///
/// Quoted fields may hold commas and doubled quotes but must close on the same line: lines are
/// split before fields, so a field spanning lines is refused rather than silently swallowing the
/// lines after it. Unquoted fields are trimmed of surrounding spaces and tabs (hand-edited lists
/// often have them); quoted fields are kept exactly. A quote inside an unquoted field is kept as
/// an ordinary character, as common CSV readers do.
enum CSVFields {
    /// The fields of `line`, which must be valid UTF-8 (see `LineChecks`).
    static func split(_ line: ArraySlice<UInt8>) throws(BankProblem) -> [String] {
        var fields: [String] = []
        var position = line.startIndex
        let end = line.endIndex
        while true {
            var start = position
            while start < end, isBlank(line[start]) {
                start += 1
            }
            if start < end, line[start] == quote {
                var value: [UInt8] = []
                var index = start + 1
                while true {
                    guard index < end else { throw .unterminatedQuote }
                    if line[index] == quote {
                        if index + 1 < end, line[index + 1] == quote {
                            value.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    value.append(line[index])
                    index += 1
                }
                while index < end, isBlank(line[index]) {
                    index += 1
                }
                fields.append(String(decoding: value, as: UTF8.self))
                if index == end {
                    return fields
                }
                guard line[index] == comma else {
                    throw .textAfterClosingQuote(column: index - line.startIndex + 1)
                }
                position = index + 1
            } else {
                var index = start
                while index < end, line[index] != comma {
                    index += 1
                }
                var valueEnd = index
                while valueEnd > start, isBlank(line[valueEnd - 1]) {
                    valueEnd -= 1
                }
                fields.append(String(decoding: line[start..<valueEnd], as: UTF8.self))
                if index == end {
                    return fields
                }
                position = index + 1
            }
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
