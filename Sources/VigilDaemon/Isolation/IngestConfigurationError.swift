/// Why `vigil ingest` could not read the configuration the daemon sends on its standard input.
public struct IngestConfigurationError: Error, Sendable, CustomStringConvertible {
    /// What was wrong.
    public var problem: String

    /// The problem, naming where the configuration comes from.
    public var description: String { "standard input: \(problem)" }
}
