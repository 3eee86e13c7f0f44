import Foundation

/// CPU time of processes from Linux's `/proc`, in seconds.
enum ProcessCPU {
    /// One process's times from `/proc/<pid>/stat`.
    struct Times {
        /// Its parent.
        var parent: Int32
        /// User plus system time of the process itself.
        var own: Double
        /// User plus system time of its children that have exited and been waited for.
        var reapedChildren: Double
    }

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// The times of `pid` (or `self`), nil when it is gone.
    static func times(_ pid: String) -> Times? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // The command name in parentheses may hold spaces; the fields after it do not. After it
        // come state (3), ppid (4), ..., utime (14), stime (15), cutime (16), cstime (17).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let parent = Int32(fields[1]),
              let utime = Double(fields[11]), let stime = Double(fields[12]),
              let cutime = Double(fields[13]), let cstime = Double(fields[14])
        else { return nil }
        return Times(parent: parent, own: (utime + stime) / ticksPerSecond, reapedChildren: (cutime + cstime) / ticksPerSecond)
    }

    /// This process's CPU time, all threads.
    static func benchmark() -> Double {
        times("self")?.own ?? 0
    }

    /// The CPU time of a PostgreSQL server: the processes owned by `postgres` whose command line
    /// names `dataDirectory` (the postmaster), every process they started (backends, checkpointer,
    /// WAL writer, autovacuum: they rewrite their command lines to their status, such as
    /// `postgres: postgres postgres 127.0.0.1(…) idle`, so the data directory is not in them),
    /// and the children the postmaster already reaped.
    static func postgres(dataDirectory: String) -> Double {
        guard let owner = getpwnam("postgres")?.pointee.pw_uid else { return 0 }
        var all: [Int32: Times] = [:]
        var roots: Set<Int32> = []
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry), let times = times(entry), processOwner(entry) == owner else { continue }
            all[pid] = times
            if commandLine(entry).contains(dataDirectory) { roots.insert(pid) }
        }
        var total = 0.0
        for (pid, times) in all where roots.contains(pid) || roots.contains(times.parent) {
            total += times.own + (roots.contains(pid) ? times.reapedChildren : 0)
        }
        return total
    }

    /// CPU time of the whole machine (all cores), busy and in total, from `/proc/stat`.
    static func machine() -> (busy: Double, total: Double) {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return (0, 0) }
        // user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 5 else { return (0, 0) }
        let total = ticks.prefix(8).reduce(0, +)
        return ((total - ticks[3] - ticks[4]) / ticksPerSecond, total / ticksPerSecond)
    }

    private static func processOwner(_ pid: String) -> uid_t? {
        var info = stat()
        guard stat("/proc/\(pid)", &info) == 0 else { return nil }
        return info.st_uid
    }

    private static func commandLine(_ pid: String) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "" }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }
}
