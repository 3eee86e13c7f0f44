/// One decoded picture, converted to packed RGB.
public struct Frame: Sendable {
    /// Position of the frame in the stream.
    ///
    /// In ``SamplingMode/everyFrame`` and ``SamplingMode/interval(seconds:)`` modes this is the
    /// 0-based count of decoded frames in output order. In ``SamplingMode/keyframes`` mode only
    /// key frames are decoded, so it is estimated as `round(ptsSeconds * frameRate)`, falling back
    /// to the count of decoded key frames when the frame rate is unknown.
    public let index: Int
    /// Presentation time in seconds from the start of the stream.
    public let ptsSeconds: Double
    /// Whether the decoder marked this frame as a key frame.
    public let isKeyframe: Bool
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// RGB24 samples, rows packed tightly (`width * 3` bytes per row, no padding), top row first.
    public let pixels: [UInt8]

    /// Creates a frame from already converted pixels.
    ///
    /// - Precondition: `pixels.count == width * height * 3`.
    public init(index: Int, ptsSeconds: Double, isKeyframe: Bool, width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "pixel buffer does not match \(width)x\(height) RGB24")
        self.index = index
        self.ptsSeconds = ptsSeconds
        self.isKeyframe = isKeyframe
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
