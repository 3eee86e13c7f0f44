import CFFmpeg

/// FFmpeg prints its own diagnostics to stderr by default; Vigil reports problems through
/// ``MediaError`` instead, so the library's logging is silenced once per process.
enum FFmpegLogging {
    private static let silenced: Void = {
        av_log_set_level(AV_LOG_QUIET)
    }()

    /// Silences FFmpeg's logging; cheap to call repeatedly.
    static func silence() {
        _ = silenced
    }
}
