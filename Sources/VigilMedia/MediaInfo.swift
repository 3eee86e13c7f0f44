/// What is known about an input once it has been opened and probed.
public struct MediaInfo: Sendable, Equatable, Codable {
    /// The input as it was given to the reader.
    public let url: String
    /// Width of the selected video stream in pixels.
    public let width: Int
    /// Height of the selected video stream in pixels.
    public let height: Int
    /// FFmpeg's short codec name, such as `h264` or `mjpeg`.
    public let codecName: String
    /// Frames per second: the stream's average rate, else its base rate; `nil` when neither is known.
    public let frameRate: Double?
    /// Duration in seconds: the stream's own, else the container's; `nil` when unknown.
    public let durationSeconds: Double?
    /// Whether the input is a single picture (JPEG, PNG, WebP, BMP, ...) rather than a video.
    ///
    /// Still images are converted to RGB the way the `ffmpeg` command-line tool does, so that
    /// hashes match references computed from its output.
    public let isStillImage: Bool
    /// The input's size in bytes as its protocol reported it (a file, an HTTP answer with a
    /// length); `nil` when unknown.
    public let byteSize: Int64?

    /// Creates a description of an input.
    public init(
        url: String, width: Int, height: Int, codecName: String,
        frameRate: Double?, durationSeconds: Double?, isStillImage: Bool, byteSize: Int64? = nil
    ) {
        self.url = url
        self.width = width
        self.height = height
        self.codecName = codecName
        self.frameRate = frameRate
        self.durationSeconds = durationSeconds
        self.isStillImage = isStillImage
        self.byteSize = byteSize
    }
}
