import VigilHash

/// A signal from the hash-exchange ecosystem (Meta's python-threatexchange, HMA): a signal type and
/// its value, from the CSV that `threatexchange dataset -P --csv` prints (columns `signal_type,
/// signal_str,collab,category,tags`) or a line of its local-file exchange (`signal_type signal`).
///
/// `pdq` signals become hash entries; `video_md5` signals file-digest entries; other types (text,
/// URLs, other hash algorithms) are counted and skipped, so an export that mixes them still loads.
enum ExchangeSignal {
    /// A PDQ hash entry.
    case pdq(LineRecord)
    /// A known file by its MD5.
    case fileDigest(FileDigestEntry)
    /// A signal type Vigil does not match on.
    case unsupported(String)

    /// The signal type names, as python-threatexchange writes them.
    static let pdqType = "pdq"
    static let md5Type = "video_md5"

    /// Every signal type python-threatexchange and its extensions name: a local-file line must
    /// start with one of them, so a plain list's junk line is still an error, not a skipped signal.
    static let knownTypes: Set<String> = [
        pdqType, md5Type, "raw_text", "trend_query", "url", "url_md5", "video_sha256", "vpdq", "video_tmk_pdqf",
    ]

    /// Category that marks a signal as known benign: it becomes an allow-list entry.
    static let negativeCategory = "NEGATIVE_CLASS"

    /// Reads a value of `type` with the line's `label` and other columns.
    static func read(type: String, value: String, label: String?, metadata: [String: String]) throws(BankProblem) -> ExchangeSignal {
        switch type.lowercased() {
        case pdqType:
            return .pdq(LineRecord(hash: try FieldParsers.hash(value), label: label, metadata: metadata))
        case md5Type:
            guard let md5 = FileDigestEntry.digest(value) else { throw .invalidDigest(value) }
            return .fileDigest(FileDigestEntry(md5: md5, label: label, metadata: metadata))
        case let other:
            return .unsupported(other)
        }
    }

    /// A local-file exchange line, `signal_type signal`, when `field` (a whole line without
    /// commas) has that shape: a known type name, one space, a value.
    static func localFileLine(_ field: String) -> (type: String, value: String)? {
        guard let space = field.firstIndex(of: " ") else { return nil }
        let type = field[..<space]
        let value = field[field.index(after: space)...].trimmingCharacters(in: .whitespaces)
        guard knownTypes.contains(String(type)), !value.isEmpty
        else { return nil }
        return (String(type), value)
    }
}
