/// Why a poll of a media server found nothing usable.
public struct DiscoveryError: Error, Sendable, CustomStringConvertible {
    /// The discovery source's name.
    public var source: String
    /// What went wrong, in words (never the server's whole answer).
    public var reason: String

    /// Creates an error.
    public init(source: String, _ reason: String) {
        self.source = source
        self.reason = reason
    }

    public var description: String { "discovery \(source.debugDescription): \(reason)" }
}
