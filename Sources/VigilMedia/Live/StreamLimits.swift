/// Per-stream resource limits beyond picture size (which ``MediaReaderOptions`` bounds). A file
/// over a limit fails with ``MediaError/packetTooLarge(url:bytes:limit:)`` or
/// ``MediaError/memoryLimitExceeded(url:bytes:limit:)``. A live stream skips (and counts) a packet
/// or a picture over the limits; a connection that opens over the memory limit ends and is tried
/// again after a backoff.
public struct StreamLimits: Sendable, Equatable {
    /// Largest compressed frame accepted, in bytes.
    public var maxPacketBytes: Int
    /// Most compressed data kept since the last key frame, so the reader can decode from it when
    /// it has to fall back to continuous decoding. Reaching it starts the fallback early. The
    /// default holds the default 4 s key-frame gap at 32 Mbit/s; it is reserved from the shared
    /// memory budget for every stream, so it sets how many streams a budget admits.
    public var maxBufferedPacketBytes: Int
    /// Estimated memory one stream may need at its current picture size: decoder reference
    /// pictures, the frame buffer and the buffered packets.
    public var maxMemoryBytes: Int

    /// Creates limits; the defaults allow 4K video with room to spare.
    public init(
        maxPacketBytes: Int = 16 << 20,
        maxBufferedPacketBytes: Int = 16 << 20,
        maxMemoryBytes: Int = 1 << 30
    ) {
        self.maxPacketBytes = maxPacketBytes
        self.maxBufferedPacketBytes = maxBufferedPacketBytes
        self.maxMemoryBytes = maxMemoryBytes
    }

    /// Decoded pictures a decoder may hold while it decodes every picture: 16 references plus
    /// its delay.
    public static let decoderPicturesDecodingEverything = 18
    /// Decoded pictures a decoder holds while it decodes key frames alone, flushed after each:
    /// the key picture and the spares its buffer pool keeps.
    public static let decoderPicturesDecodingKeyframes = 3

    /// Decoded pictures a decoder may hold in a decoding mode.
    public static func decoderPictures(decodingEveryPicture: Bool) -> Int {
        decodingEveryPicture ? decoderPicturesDecodingEverything : decoderPicturesDecodingKeyframes
    }

    /// The memory a stream's reader needs at a picture size: `decoderPictures` decoded pictures
    /// held by the decoder at 1.5 bytes per pixel (4:2:0), `bufferedFrames` sampled pictures in
    /// `format` (each with a possible cropped copy), and the packet buffer.
    ///
    /// Checked against ``maxMemoryBytes`` with the decoder decoding everything (what the stream
    /// may come to need); reserved from the shared budget as the reader decodes now.
    public func estimatedBytes(
        width: Int, height: Int, bufferedFrames: Int, format: PictureFormat = .rgb24,
        decoderPictures: Int = decoderPicturesDecodingEverything
    ) -> Int {
        let pixels = width.multipliedReportingOverflow(by: height)
        guard !pixels.overflow else { return .max }
        let decoder = pixels.partialValue.multipliedReportingOverflow(by: decoderPictures * 3)
        let frames = pixels.partialValue.multipliedReportingOverflow(by: format.bytesPerPixel * 2 * (bufferedFrames + 1))
        guard !decoder.overflow, !frames.overflow else { return .max }
        let (pictures, overflow) = (decoder.partialValue / 2).addingReportingOverflow(frames.partialValue)
        guard !overflow else { return .max }
        let (total, totalOverflow) = pictures.addingReportingOverflow(maxBufferedPacketBytes)
        return totalOverflow ? .max : total
    }
}
