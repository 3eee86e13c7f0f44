/// Why an input could not be read. Every case names the input it concerns.
public enum MediaError: Error, Sendable, Equatable, CustomStringConvertible {
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

    /// The input the error concerns.
    public var url: String {
        switch self {
        case .openFailed(let url, _), .noVideoStream(let url), .unsupportedCodec(let url, _),
             .invalidDimensions(let url, _, _), .dimensionsTooLarge(let url, _, _, _),
             .tooManyPixels(let url, _, _, _), .readFailed(let url, _), .decodeFailed(let url, _),
             .noFrames(let url), .cancelled(let url):
            return url
        }
    }

    /// One line naming the input and the problem, e.g. `clip.mp4: no video stream (audio only?)`.
    public var description: String {
        "\(url): \(problem)"
    }

    private var problem: String {
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
        }
    }

    /// Reasons come from FFmpeg and the file system; keep the description on a single line.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
