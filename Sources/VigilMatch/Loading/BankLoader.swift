import Foundation

/// Loads hash banks from files and folders.
///
/// Each file's format is detected from its content, not its name:
///
/// - one PDQ hash (64 hex digits, either case) per line;
/// - CSV with a header row naming a `hash` (or `pdq`) column, and optionally `id`, `label` and
///   `quality`; other columns are kept as metadata. RFC 4180 quoting, but a quoted field must close
///   on its own line;
/// - `hash,quality[,path...]` lines without a header (`vigil hash` image output);
/// - vPDQ lines, `frameNumber,quality,hash,timestamp` (`vigil hash` video output); their frames also
///   form a `BankVideo`, one per file unless frame numbers start over.
///
/// Headerless files may mix these line shapes. Everywhere, blank lines and lines starting with `#`
/// are ignored, CRLF line ends and a UTF-8 byte order mark are accepted; UTF-16, NUL bytes, invalid
/// UTF-8 and lines over 4096 bytes are refused. A quality must be an integer in 0...100.
///
/// Loading is all-or-nothing: the first invalid line throws a `BankError` naming the file, line and
/// problem. With `skipInvalid`, invalid lines are skipped and listed in `BankLoadResult.issues`
/// instead; problems that concern a whole file (unreadable, UTF-16, a header without a hash column)
/// still throw, since no line of such a file can be trusted.
///
/// Lines carrying the same hash, in one file or several, are merged into one `BankEntry`.
public enum BankLoader {
    /// Longest accepted line, in bytes.
    public static let maximumLineBytes = LineChecks.maximumLineBytes

    /// Loads files and folders into one bank. A folder contributes every regular file directly in
    /// it, in name order, skipping hidden files and subfolders.
    public static func load(name: String, paths: [String], skipInvalid: Bool = false) throws(BankError) -> BankLoadResult {
        var assembler = BankAssembler()
        for path in paths {
            let files = try BankFiles.expand(path)
            if files.isEmpty {
                assembler.addEmptyInput(path)
            }
            for file in files {
                assembler.add(try BankFileReader.parse(file, skipInvalid: skipInvalid))
            }
        }
        return assembler.result(name: name)
    }

    /// Loads in-memory files into one bank, as `load(name:paths:skipInvalid:)` does files on disk.
    public static func load(name: String, sources: [BankSource], skipInvalid: Bool = false) throws(BankError) -> BankLoadResult {
        var assembler = BankAssembler()
        for source in sources {
            assembler.add(try BankFileParser.parse([UInt8](source.data), file: source.file, skipInvalid: skipInvalid))
        }
        return assembler.result(name: name)
    }

    /// Parses one file's bytes into a bank named after `file`; `file` is only used in sources and
    /// errors.
    public static func parse(data: Data, file: String, skipInvalid: Bool = false) throws(BankError) -> BankLoadResult {
        try load(name: file, sources: [BankSource(file: file, data: data)], skipInvalid: skipInvalid)
    }
}
