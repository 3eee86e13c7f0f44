/// Where the streams added over the API are kept, so that they outlive the process: a single
/// node's state database (``DaemonStore``), or the fleet's database (``StreamLeases``), which
/// also holds the config streams every node publishes.
///
/// The same behaviour tests run against both implementations.
public protocol StreamStore: Sendable {
    /// Every stored stream, in the order added.
    func streams() async throws -> [StreamSpec]
    /// Stores an API stream; false when the id is taken.
    func insert(_ stream: StreamSpec) async throws -> Bool
    /// Deletes an API stream.
    func removeStream(id: String) async throws -> StreamRemoval
}

/// What ``StreamStore/removeStream(id:)`` did.
public enum StreamRemoval: Sendable, Equatable {
    /// The API stream is gone.
    case removed
    /// No stream had the id.
    case notFound
    /// The id is a config stream's, which only the config file removes.
    case isConfig
    /// The id is a stream a media server publishes (the discovery source named), which goes when
    /// the server stops listing it.
    case isDiscovered(String)
}
