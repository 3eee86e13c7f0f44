import CMalloc
import Foundation

/// How many heaps (arenas) glibc's allocator keeps.
///
/// By default glibc lets threads spread over up to eight arenas per core, and each arena keeps
/// what is freed in it for its own later use. The daemon reads every stream on a thread of its
/// own, each allocating packets and pictures of megabytes, so free memory piles up in many arenas
/// at once: with 100 live 1080p streams, one arena per core cut the daemon's resident memory from
/// 899 to 646 MiB at the same CPU and sampling lag (`Benchmarks/serve/capacity.py`).
public enum AllocatorArenas {
    /// Limits the arenas to one per core, and at least two, unless `MALLOC_ARENA_MAX` sets the
    /// limit (as it does for ingest children: one); called before the daemon's threads start
    /// (arenas already made stay).
    public static func limitToCores() {
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        _ = mallopt(M_ARENA_MAX, Int32(clamping: max(2, cores)))
    }
}
