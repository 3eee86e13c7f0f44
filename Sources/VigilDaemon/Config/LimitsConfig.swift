/// The daemon's resource budgets (`limits:` in the config).
public struct LimitsConfig: Sendable, Equatable {
    /// Most streams the daemon reads at once, config and API together (in a fleet, per node:
    /// `cluster.max_streams` may not exceed it). Each stream costs a reader thread and a few
    /// open files.
    public var maxStreams = 500

    /// Creates the defaults.
    public init() {}
}
