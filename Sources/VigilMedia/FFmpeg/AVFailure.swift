import CFFmpeg

/// A negative FFmpeg return code, kept with its meaning.
struct AVFailure: Error, Sendable, Equatable {
    /// The raw `AVERROR` value.
    let code: Int32

    static let outOfMemory = AVFailure(code: vigil_averror_enomem())
    static let invalidArgument = AVFailure(code: vigil_averror_einval())

    /// FFmpeg's own text for the code, such as "Invalid data found when processing input".
    var message: String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = buffer.count
        return buffer.withUnsafeMutableBufferPointer { storage in
            guard let base = storage.baseAddress else { return "error \(code)" }
            return String(cString: vigil_av_error_string(code, base, count))
        }
    }

    /// `AVERROR_EOF`: the input or the decoder has nothing more.
    var isEndOfFile: Bool { code == vigil_averror_eof() }
    /// `AVERROR(EAGAIN)`: the call must be retried after the other side of the decoder moves.
    var isTryAgain: Bool { code == vigil_averror_eagain() }
    /// `AVERROR_EXIT`: the interrupt callback aborted a blocking call.
    var isInterrupted: Bool { code == vigil_averror_exit() }
    /// `AVERROR_INVALIDDATA`: the bytes are corrupt or not what was expected.
    var isInvalidData: Bool { code == vigil_averror_invaliddata() }
}

/// The outcome of one FFmpeg step that can also ask to be retried or report the end.
enum AVStepResult: Equatable {
    /// The step produced or consumed something.
    case done
    /// `EAGAIN`: feed or drain the other side first.
    case tryAgain
    /// `AVERROR_EOF`: nothing more will come.
    case endOfFile
    /// Any other failure.
    case failed(AVFailure)

    init(returnCode: Int32) {
        if returnCode >= 0 {
            self = .done
            return
        }
        let failure = AVFailure(code: returnCode)
        if failure.isTryAgain {
            self = .tryAgain
        } else if failure.isEndOfFile {
            self = .endOfFile
        } else {
            self = .failed(failure)
        }
    }
}
