#if canImport(Glibc)
import Glibc
#endif

/// The scheduling priority of a live stream's reader thread: below the hashing workers'.
///
/// A daemon reads hundreds of streams on a thread each and hashes their pictures on one worker per
/// core. With equal priorities the scheduler shares the cores per thread, so once decoding alone
/// fills them the few hashing threads get a few percent of the time: pictures are decoded and then
/// dropped unhashed (measured: 200 1080p streams on 2 cores, 3% of key frames hashed). A decoded
/// picture is worth more than a next one, so readers yield to hashing. Lowering one's own
/// priority needs no privilege.
enum ReaderThreadPriority {
    /// The nice value of reader threads (the lowest priority: 19).
    static let niceness: Int32 = 19

    /// Lowers the calling thread's priority: Linux keeps one per thread, and `who` 0 names the
    /// calling thread, not the whole process.
    static func lowerCurrentThread() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }
}
