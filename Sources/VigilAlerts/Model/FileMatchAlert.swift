import Foundation

/// A stream read from a local file whose bytes are exactly a known file: its MD5 equals a bank's
/// `video_md5` entry (the exchanges' exact-copy signal), found before any picture is decoded.
///
/// Like every alert it carries no pixels: the stream, its source without credentials, the bank's
/// entry and the digest.
public struct FileMatchAlert: Codable, Sendable, Equatable {
    /// Sortable unique id, from the same generator as the other alerts.
    public var id: AlertID
    /// The stream's id.
    public var stream: String
    /// The stream's source (a path or `file:` URL).
    public var source: String
    /// The bank holding the digest.
    public var bank: String
    /// The bank's entry: its id (the first id its lines gave, else the file and line) and label.
    public var entry: Alert.Entry
    /// The file's MD5, 32 lowercase hex digits.
    public var md5: String
    /// When Vigil raised the alert.
    public var raisedAt: Date
    /// The on-demand scan job whose file it is; nil for a file stream.
    public var scan: ScanReference?

    /// Creates a file-match alert.
    public init(
        id: AlertID, stream: String, source: String, bank: String, entry: Alert.Entry, md5: String, raisedAt: Date,
        scan: ScanReference? = nil
    ) {
        self.id = id
        self.stream = stream
        self.source = source
        self.bank = bank
        self.entry = entry
        self.md5 = md5
        self.raisedAt = raisedAt
        self.scan = scan
    }

    enum CodingKeys: String, CodingKey {
        case id, stream, source, bank, entry, md5, scan
        case raisedAt = "raised_at"
    }
}
