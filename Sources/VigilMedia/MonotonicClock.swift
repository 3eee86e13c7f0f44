#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Monotonic time for deadlines: wall-clock adjustments must not fire or postpone them.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
    }

    static func seconds() -> Double {
        Double(nanoseconds()) / 1e9
    }
}
