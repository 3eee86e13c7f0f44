import CFFmpeg

/// The CPU priority of the calling thread.
///
/// On Linux a nice value belongs to a thread, and threads inherit their creator's, so a reader
/// thread lowered here also lowers the decoder threads FFmpeg starts from it.
enum ThreadPriority {
    /// The nice value of work that yields to everything else.
    static let background: Int32 = 19

    /// Gives the calling thread the lowest priority (nice 19). Best effort: where it cannot be
    /// changed the thread runs at its old priority.
    static func lowerCurrentThread() {
        _ = vigil_set_thread_nice(background)
    }
}
