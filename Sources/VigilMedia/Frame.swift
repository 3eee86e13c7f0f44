import Foundation

/// One decoded picture: packed RGB, or the decoder's luma plane (see ``format``).
public struct Frame: Sendable {
    /// Position of the frame in the stream.
    ///
    /// In ``SamplingMode/everyFrame`` and ``SamplingMode/interval(seconds:)`` modes this is the
    /// 0-based count of decoded frames in output order. In ``SamplingMode/keyframes`` mode only
    /// key frames are decoded, so it is estimated as `round(ptsSeconds * frameRate)`, falling back
    /// to the count of decoded key frames when the frame rate is unknown. Frames from a
    /// ``StreamSession`` are always numbered `round(ptsSeconds * frameRate)` (the count of sampled
    /// frames when the rate is unknown), so numbers keep increasing across reconnects.
    public let index: Int
    /// Presentation time in seconds from the start of the stream.
    ///
    /// For a ``StreamSession`` this is the session's timeline: it starts at 0 with the first frame,
    /// follows the source's timestamps, and never goes backwards, even across reconnects and
    /// timestamp discontinuities (see ``StreamSession`` for the rule).
    public let ptsSeconds: Double
    /// Whether the decoder marked this frame as a key frame.
    public let isKeyframe: Bool
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Samples in ``format``, rows packed tightly (`width * format.bytesPerPixel` bytes per row, no
    /// padding), top row first.
    public let pixels: [UInt8]
    /// How ``pixels`` is laid out.
    public let format: PictureFormat
    /// Wall-clock time at which the data of this picture was received (for files: when it was read).
    public let observedAt: Date
    /// `nil` for a whole picture. Set on the extra copy a ``StreamSession`` emits of a picture with
    /// letterbox or pillarbox borders: the copy holds only the content inside the borders, and this
    /// says where that content sits in the whole picture, which is emitted first with the same
    /// ``index`` and ``ptsSeconds``.
    public let crop: CropRect?

    /// Creates a frame from already converted pixels.
    ///
    /// - Precondition: `pixels.count == width * height * format.bytesPerPixel`.
    public init(
        index: Int, ptsSeconds: Double, isKeyframe: Bool, width: Int, height: Int, pixels: [UInt8],
        format: PictureFormat = .rgb24, observedAt: Date = Date(), crop: CropRect? = nil
    ) {
        precondition(
            pixels.count == width * height * format.bytesPerPixel,
            "pixel buffer does not match \(width)x\(height) \(format.rawValue)")
        self.index = index
        self.ptsSeconds = ptsSeconds
        self.isKeyframe = isKeyframe
        self.width = width
        self.height = height
        self.pixels = pixels
        self.format = format
        self.observedAt = observedAt
        self.crop = crop
    }

    /// The part of this frame inside `rect`, flagged with it, or `nil` when `rect` does not fit.
    public func cropped(to rect: CropRect) -> Frame? {
        guard rect.x >= 0, rect.y >= 0, rect.width > 0, rect.height > 0,
              rect.x + rect.width <= width, rect.y + rect.height <= height else { return nil }
        let channels = format.bytesPerPixel
        let rowBytes = rect.width * channels
        var inner = [UInt8]()
        inner.reserveCapacity(rowBytes * rect.height)
        for row in rect.y..<(rect.y + rect.height) {
            let start = (row * width + rect.x) * channels
            inner.append(contentsOf: pixels[start..<(start + rowBytes)])
        }
        return Frame(
            index: index, ptsSeconds: ptsSeconds, isKeyframe: isKeyframe, width: rect.width, height: rect.height,
            pixels: inner, format: format, observedAt: observedAt, crop: rect
        )
    }
}
