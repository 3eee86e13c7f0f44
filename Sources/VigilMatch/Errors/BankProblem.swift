/// Precisely what is wrong with a bank file or one of its lines. Thrown inside the loader while a
/// line is read; callers see it inside a `BankError` or `BankIssue`, which add the file and line.
public enum BankProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// The path does not exist.
    case notFound
    /// The path exists but is neither a regular file nor a folder (a socket, a device...).
    case notRegularFile
    /// The file could not be read; the system's reason.
    case unreadable(String)
    /// The file starts with a UTF-16 byte order mark; banks are UTF-8.
    case utf16(bigEndian: Bool)
    /// The line is longer than `limit` bytes (no bank line comes close; it is not a bank file).
    case lineTooLong(limit: Int)
    /// The line holds a NUL byte at this 1-based byte column (binary data or UTF-16 without a mark).
    case nulByte(column: Int)
    /// The line is not valid UTF-8 at this 1-based byte column.
    case invalidUTF8(column: Int)
    /// The hash field is empty.
    case hashEmpty
    /// The hash field holds only hex digits, but not 64 of them.
    case hashLength(Int)
    /// The hash field's character at this 1-based position is not a hex digit.
    case hashNotHex(position: Int, character: String)
    /// The quality field is not an integer.
    case qualityNotInteger(String)
    /// The quality is an integer outside 0...100.
    case qualityOutOfRange(Int)
    /// The vPDQ timestamp is not a finite, non-negative number of seconds.
    case timestampInvalid(String)
    /// A vPDQ line (it starts with a frame number) has too few fields.
    case vpdqFieldCount(Int)
    /// A quoted CSV field is not closed before the end of the line.
    case unterminatedQuote
    /// Something other than a comma follows a closing quote, at this 1-based byte column.
    case textAfterClosingQuote(column: Int)
    /// A CSV row has a different number of fields than the header.
    case fieldCount(found: Int, expected: Int)
    /// The first data line looks like a CSV header, but no column is named `hash` or `pdq`.
    case missingHashColumn(columns: [String])
    /// The header names both a `hash` and a `pdq` column, so which one holds the hash is unclear.
    case conflictingHashColumns
    /// The header names this column twice.
    case duplicateColumn(String)
    /// A `video_md5` signal that is not 32 hex digits.
    case invalidDigest(String)

    /// The problem in words, without file or line (`BankError` and `BankIssue` add those).
    public var description: String {
        switch self {
        case .notFound:
            return "no such file or folder"
        case .notRegularFile:
            return "not a regular file or a folder"
        case .unreadable(let reason):
            return "cannot be read: \(reason)"
        case .utf16(let bigEndian):
            return "file is UTF-16 (\(bigEndian ? "big" : "little")-endian byte order mark); save it as UTF-8"
        case .lineTooLong(let limit):
            return "line is too long (more than \(limit) bytes); this does not look like a hash list"
        case .nulByte(let column):
            return "line contains a NUL byte at column \(column); binary data is not a hash list"
        case .invalidUTF8(let column):
            return "line is not valid UTF-8 at column \(column); save the file as UTF-8"
        case .hashEmpty:
            return "hash is empty"
        case .hashLength(let count):
            return "hash has \(count) hex digit\(count == 1 ? "" : "s"), expected 64"
        case .hashNotHex(let position, let character):
            return "hash character \(position) (\(character.debugDescription)) is not a hex digit"
        case .qualityNotInteger(let text):
            return "quality \(text.debugDescription) is not an integer"
        case .qualityOutOfRange(let value):
            return "quality \(value) is outside 0...100"
        case .timestampInvalid(let text):
            return "timestamp \(text.debugDescription) is not a non-negative number of seconds"
        case .vpdqFieldCount(let count):
            return "vPDQ line has \(count) field\(count == 1 ? "" : "s"), expected frameNumber,quality,hash,timestamp"
        case .unterminatedQuote:
            return "quoted field is not closed on this line (a quoted field must not span lines)"
        case .textAfterClosingQuote(let column):
            return "unexpected text after a closing quote at column \(column); "
                + "write a quote inside a quoted field as two quotes"
        case .fieldCount(let found, let expected):
            return "row has \(found) field\(found == 1 ? "" : "s"), the header has \(expected)"
        case .missingHashColumn(let columns):
            return "header has no 'hash' or 'pdq' column, nor the 'signal_type' and 'signal_str' of an exchange export (columns: \(columns.joined(separator: ", ")))"
        case .conflictingHashColumns:
            return "header has both a 'hash' and a 'pdq' column; keep only one"
        case .duplicateColumn(let name):
            return "header names column '\(name)' more than once"
        case .invalidDigest(let text):
            return "video_md5 \(String(text.prefix(80)).debugDescription) is not 32 hex digits"
        }
    }
}
