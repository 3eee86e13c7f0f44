/// Why an input could not be read. Every case names the input it concerns.
public enum MediaError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The input could not be opened or probed: missing file, unknown format, unreadable header.
    case openFailed(url: String, reason: String)
    /// The input has no video stream.
    case noVideoStream(url: String)
    /// No decoder is available for the video codec.
    case unsupportedCodec(url: String, codec: String)
    /// The picture size is missing, zero or negative.
    case invalidDimensions(url: String, width: Int, height: Int)
    /// The width or height exceeds ``MediaReaderOptions/maxDimension`` (`limit`).
    case dimensionsTooLarge(url: String, width: Int, height: Int, limit: Int)
    /// `width * height` exceeds ``MediaReaderOptions/maxPixels`` (`limit`).
    case tooManyPixels(url: String, width: Int, height: Int, limit: Int)
    /// Reading from the input failed after it was opened.
    case readFailed(url: String, reason: String)
    /// The decoder or the RGB conversion failed in a way that skipping a packet cannot fix.
    case decodeFailed(url: String, reason: String)
    /// The input ended without a single decodable frame, for example a file truncated before
    /// its first complete picture.
    case noFrames(url: String)
    /// Reading stopped because it was cancelled.
    case cancelled(url: String)
    /// The input names a scheme or mode Vigil does not read; nothing was opened.
    case unsupportedSource(url: String, reason: String)
    /// A blocking step (`operation`: "opening", "probing", "reading") passed its deadline of `seconds`.
    case timedOut(url: String, operation: String, seconds: Double)
    /// No video packet arrived for `seconds` (the stall watchdog).
    case stalled(url: String, seconds: Double)
    /// A single compressed frame was larger than the per-stream limit (`limit` bytes).
    case packetTooLarge(url: String, bytes: Int, limit: Int)
    /// Holding the stream at its current size would need more memory than the per-stream limit.
    case memoryLimitExceeded(url: String, bytes: Int, limit: Int)
    /// The input gave nothing to read but named `refused`, which the source's protocol
    /// whitelist does not allow (a playlist naming a local file, say).
    case refusedInput(url: String, refused: String)
    /// The memory budget shared by all streams has less left than this stream's estimate.
    case memoryBudgetExhausted(url: String, bytes: Int, budget: Int)
    /// The source's container format is not on the whitelist for its kind of source.
    case unsupportedFormat(url: String, format: String, kind: String)

    /// The input the error concerns.
    public var url: String {
        switch self {
        case .openFailed(let url, _), .noVideoStream(let url), .unsupportedCodec(let url, _),
             .invalidDimensions(let url, _, _), .dimensionsTooLarge(let url, _, _, _),
             .tooManyPixels(let url, _, _, _), .readFailed(let url, _), .decodeFailed(let url, _),
             .noFrames(let url), .cancelled(let url), .unsupportedSource(let url, _),
             .timedOut(let url, _, _), .stalled(let url, _), .packetTooLarge(let url, _, _),
             .memoryLimitExceeded(let url, _, _), .refusedInput(let url, _), .unsupportedFormat(let url, _, _),
             .memoryBudgetExhausted(let url, _, _):
            return url
        }
    }

    /// One line naming the input (credentials masked: messages go to logs and clients) and the
    /// problem, e.g. `clip.mp4: no video stream (audio only?)`.
    public var description: String {
        "\(RedactedURL(url)): \(problem)"
    }

    /// Whether the error says the source answered with something Vigil cannot sample (a picture
    /// or packet over a limit, a codec or input it refuses, data that does not decode, a
    /// connection held open with nothing in it), as opposed to a source that could not be
    /// reached or ended. The people who control a stream can cause the first kind at will, so the
    /// daemon tells its operator when it lasts; the second is a stream that is simply off.
    public var meansSourceAnswered: Bool {
        switch self {
        case .noVideoStream, .unsupportedCodec, .invalidDimensions, .dimensionsTooLarge, .tooManyPixels,
             .decodeFailed, .noFrames, .stalled, .packetTooLarge, .memoryLimitExceeded, .refusedInput, .unsupportedSource,
             .unsupportedFormat, .memoryBudgetExhausted:
            return true
        case .openFailed(_, let reason):
            // FFmpeg's text for AVERROR_INVALIDDATA: bytes arrived, but they are no stream it
            // can read. Every other open failure (refused, unreachable, not found) is a source
            // that is not there.
            return reason.hasPrefix("Invalid data found")
        case .readFailed, .timedOut, .cancelled:
            return false
        }
    }

    /// The problem alone, without the input's name: `unsupported video codec ffv1`.
    public var problem: String {
        switch self {
        case .openFailed(_, let reason):
            return "cannot open (\(Self.oneLine(reason)))"
        case .noVideoStream:
            return "no video stream (audio only?)"
        case .unsupportedCodec(_, let codec):
            return "unsupported video codec \(codec)"
        case .invalidDimensions(_, let width, let height):
            return "invalid picture size \(width)x\(height)"
        case .dimensionsTooLarge(_, let width, let height, let limit):
            return "picture size \(width)x\(height) exceeds the limit of \(limit) pixels per side"
        case .tooManyPixels(_, let width, let height, let limit):
            return "picture size \(width)x\(height) exceeds the limit of \(limit) pixels"
        case .readFailed(_, let reason):
            return "read failed (\(Self.oneLine(reason)))"
        case .decodeFailed(_, let reason):
            return "decoding failed (\(Self.oneLine(reason)))"
        case .noFrames:
            return "no decodable video frames (truncated or corrupt?)"
        case .cancelled:
            return "cancelled"
        case .unsupportedSource(_, let reason):
            return "unsupported source (\(Self.oneLine(reason)))"
        case .timedOut(_, let operation, let seconds):
            return "timed out after \(Self.seconds(seconds)) while \(operation)"
        case .stalled(_, let seconds):
            return "stalled: no video data for \(Self.seconds(seconds))"
        case .packetTooLarge(_, let bytes, let limit):
            return "compressed frame of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .memoryLimitExceeded(_, let bytes, let limit):
            return "stream would need about \(bytes) bytes of memory, over the limit of \(limit) bytes"
        case .refusedInput(_, let refused):
            return "nothing to read: it names \(RedactedURL(refused)), which is refused for this kind of source"
        case .memoryBudgetExhausted(_, let bytes, let budget):
            return "stream would need about \(bytes) bytes of memory, more than is left of the budget of \(budget) bytes shared by all streams"
        case .unsupportedFormat(_, let format, let kind):
            return "container format \(format) is not accepted from \(kind) sources"
        }
    }

    /// Whether a live source is worth reading again after a backoff: true for network trouble,
    /// broken data, and content refused as it is now (a codec without a decoder, a picture or
    /// packet over a limit), since the people who control a live stream can change it and must
    /// not be able to switch watching off by sending one such picture; false for a source Vigil
    /// does not read at all and for cancellation.
    public var isTransient: Bool {
        switch self {
        case .openFailed, .noVideoStream, .invalidDimensions, .readFailed, .decodeFailed, .noFrames,
             .timedOut, .stalled, .unsupportedCodec, .dimensionsTooLarge, .tooManyPixels, .packetTooLarge,
             .memoryLimitExceeded, .unsupportedFormat, .memoryBudgetExhausted:
            return true
        case .refusedInput:
            // A live playlist may name something else next time; the refusal itself is reported.
            return true
        case .cancelled, .unsupportedSource:
            return false
        }
    }

    /// `2 s`, `0.5 s`: short and exact enough for a one-line message.
    private static func seconds(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        if rounded == rounded.rounded() { return "\(Int(rounded)) s" }
        return "\(rounded) s"
    }

    /// Reasons come from FFmpeg and the file system; keep the description on a single line.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
