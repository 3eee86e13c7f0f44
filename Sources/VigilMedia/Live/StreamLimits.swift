/// Per-stream resource limits beyond picture size (which ``MediaReaderOptions`` bounds). A file
/// over a limit fails with ``MediaError/packetTooLarge(url:bytes:limit:)`` or
/// ``MediaError/memoryLimitExceeded(url:bytes:limit:)``. A live stream skips (and counts) a packet
/// or a picture over the limits; a connection that opens over the memory limit ends and is tried
/// again after a backoff.
public struct StreamLimits: Sendable, Equatable {
    /// Largest compressed frame accepted, in bytes.
    public var maxPacketBytes: Int
    /// Most compressed data kept since the last key frame, so the reader can decode from it when
    /// it has to fall back to continuous decoding. Reaching it starts the fallback early.
    public var maxBufferedPacketBytes: Int
    /// Estimated memory one stream may need at its current picture size: decoder reference
    /// pictures, the frame buffer and the buffered packets.
    public var maxMemoryBytes: Int

    /// Creates limits; the defaults allow 4K video with room to spare.
    public init(
        maxPacketBytes: Int = 16 << 20,
        maxBufferedPacketBytes: Int = 32 << 20,
        maxMemoryBytes: Int = 1 << 30
    ) {
        self.maxPacketBytes = maxPacketBytes
        self.maxBufferedPacketBytes = maxBufferedPacketBytes
        self.maxMemoryBytes = maxMemoryBytes
    }

    /// The estimate checked against ``maxMemoryBytes``: up to 18 decoded pictures held by the
    /// decoder (16 references plus delay) at 1.5 bytes per pixel, `bufferedFrames` RGB frames
    /// (each with a possible cropped copy), and the packet buffer.
    public func estimatedBytes(width: Int, height: Int, bufferedFrames: Int) -> Int {
        let pixels = width.multipliedReportingOverflow(by: height)
        guard !pixels.overflow else { return .max }
        let decoder = pixels.partialValue * 18 * 3 / 2
        let frames = pixels.partialValue * 3 * 2 * (bufferedFrames + 1)
        let (total, overflow) = (decoder + frames).addingReportingOverflow(maxBufferedPacketBytes)
        return overflow ? .max : total
    }
}
