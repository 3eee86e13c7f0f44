import VigilHash

/// One accepted hash line, before duplicates are merged.
struct LineRecord {
    var hash: PDQHash
    var id: String?
    var label: String?
    var quality: Int?
    var metadata: [String: String]
    /// Set for vPDQ lines.
    var frame: Frame?

    /// The vPDQ fields of a frame line.
    struct Frame {
        var number: Int
        var quality: Int
        var timestampSeconds: Double
    }
}
