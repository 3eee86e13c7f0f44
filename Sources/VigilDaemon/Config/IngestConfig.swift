import Foundation

/// Where live streams are demuxed and decoded (`ingest:` in the config).
public struct IngestConfig: Sendable, Equatable {
    /// Whether each live stream is read by a child process (`vigil ingest`) rather than inside
    /// the daemon. On by default: hostile media then never runs next to the API token, the webhook
    /// secrets and the outbox, and a decoder crash costs one stream a restart.
    public var isolation = true
    /// Each child's address-space limit, in bytes (`memory_per_process`).
    public var memoryPerProcess = 3 << 30
    /// The `vigil` executable to run children from; nil: the running one.
    public var executable: String?

    /// Creates the defaults.
    public init() {}

    /// The executable children run: the configured one, or the running process's own.
    public var childExecutable: String {
        executable ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
