/// The on-demand scan job an alert came from (`POST /v1/scans`): its id, and the metadata the
/// client asked to have echoed.
public struct ScanReference: Codable, Sendable, Equatable {
    /// The job's id.
    public var id: String
    /// The client's `callback` metadata, as submitted; nil when it gave none.
    public var callback: JSONValue?

    /// Creates a reference.
    public init(id: String, callback: JSONValue? = nil) {
        self.id = id
        self.callback = callback
    }

    /// The stream name a job's alerts carry: `scan:` and the job's id, apart from every stream id
    /// (which has no colon).
    public static func streamName(job id: String) -> String { "\(streamPrefix)\(id)" }

    /// Whether `stream` is a scan job's (see ``streamName(job:)``).
    public static func isScanStream(_ stream: String) -> Bool { stream.hasPrefix(streamPrefix) }

    private static let streamPrefix = "scan:"
}
