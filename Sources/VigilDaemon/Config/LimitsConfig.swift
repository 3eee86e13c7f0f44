import Foundation

/// The daemon's resource budgets (`limits:` in the config).
public struct LimitsConfig: Sendable, Equatable {
    /// Most streams the daemon reads at once, config and API together (in a fleet, per node:
    /// `cluster.max_streams` may not exceed it). Each stream costs a reader thread and a few
    /// open files.
    public var maxStreams = 500
    /// Memory all streams' readers may hold together, in bytes (`limits.memory`): each
    /// connection reserves its estimate (decoder pictures, frame buffer, packets) and one that
    /// does not fit waits, retried like any refused live source. Defaults to half the machine's
    /// memory.
    public var memoryBytes = LimitsConfig.defaultMemoryBytes

    /// Half the machine's physical memory.
    public static var defaultMemoryBytes: Int {
        Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
    }

    /// Connections that may be opening (connecting and probing) at once, across all streams
    /// (`limits.concurrent_opens`): probing decodes pictures, so a start or a media-server restart
    /// that opens every stream together would otherwise run them all past their deadlines.
    /// Defaults to four per core, at least 8.
    public var concurrentOpens = max(8, 4 * ProcessInfo.processInfo.activeProcessorCount)

    /// Creates the defaults.
    public init() {}
}
