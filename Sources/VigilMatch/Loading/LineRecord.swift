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

    init(hash: PDQHash, id: String? = nil, label: String? = nil, quality: Int? = nil, metadata: [String: String], frame: Frame? = nil) {
        self.hash = hash
        self.id = id
        self.label = label
        self.quality = quality
        self.metadata = metadata
        self.frame = frame
    }

    /// The vPDQ fields of a frame line.
    struct Frame {
        var number: Int
        var quality: Int
        var timestampSeconds: Double
    }
}
