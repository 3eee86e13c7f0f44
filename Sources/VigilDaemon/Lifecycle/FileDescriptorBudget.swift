#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether the process may open enough files for its stream budget: a stream holds a few
/// descriptors (its socket, a playlist and a segment, the decoder's), and the daemon needs some
/// for its database, API and webhook connections. Checked at start, so that a budget the system
/// cannot honour is refused with a clear message instead of failing streams one by one later.
public struct FileDescriptorBudget: Sendable, Equatable {
    /// Descriptors counted per stream.
    public static let perStream = 4
    /// Descriptors kept for everything else.
    public static let reserve = 256

    /// Descriptors needed for `streams` streams.
    public static func needed(streams: Int) -> Int { streams * perStream + reserve }

    /// The soft limit to ask for so that `streams` streams fit under `soft` and `hard`; nil when
    /// even the hard limit is too low.
    public static func softLimit(streams: Int, soft: UInt64, hard: UInt64) -> UInt64? {
        let needed = UInt64(needed(streams: streams))
        if soft >= needed { return soft }
        return hard >= needed ? needed : nil
    }

    /// Raises this process's soft `RLIMIT_NOFILE` if `streams` streams need it; throws when the
    /// hard limit is too low, naming both numbers and what to change.
    public static func ensure(streams: Int) throws(DaemonError) {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return }
        let needed = needed(streams: streams)
        guard let soft = softLimit(streams: streams, soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max)) else {
            throw DaemonError(
                "limits.max_streams: \(streams) streams need about \(needed) open files, but this process may open at most "
                    + "\(limit.rlim_max) (RLIMIT_NOFILE): raise it (ulimit -n, or LimitNOFILE= under systemd) or lower limits.max_streams")
        }
        guard soft > UInt64(limit.rlim_cur) else { return }
        limit.rlim_cur = rlim_t(soft)
        guard setrlimit(resourceNumber, &limit) == 0 else {
            throw DaemonError("limits.max_streams: \(streams) streams need about \(needed) open files; raising RLIMIT_NOFILE to \(soft) failed")
        }
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
