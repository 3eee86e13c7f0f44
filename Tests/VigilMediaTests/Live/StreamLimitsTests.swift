import Testing
import VigilMedia

/// The per-stream memory estimate that the limit checks and the shared budget reserves.
@Suite("Stream limits")
struct StreamLimitsTests {
    @Test("The estimate counts the decoder's pictures at 4:2:0, the sampled pictures in their format, and the packet buffer")
    func estimate() {
        let limits = StreamLimits(maxBufferedPacketBytes: 1000)
        let pixels = 1920 * 1080
        let everything = limits.estimatedBytes(width: 1920, height: 1080, bufferedFrames: 4, format: .luma8)
        #expect(everything == pixels * 18 * 3 / 2 + pixels * 1 * 2 * 5 + 1000)
        let keyframes = limits.estimatedBytes(
            width: 1920, height: 1080, bufferedFrames: 4, format: .luma8,
            decoderPictures: StreamLimits.decoderPicturesDecodingKeyframes)
        #expect(keyframes == pixels * 3 * 3 / 2 + pixels * 1 * 2 * 5 + 1000)
        let rgb = limits.estimatedBytes(width: 1920, height: 1080, bufferedFrames: 4, format: .rgb24)
        #expect(rgb - everything == pixels * 2 * 2 * 5)
        // A 1080p stream read by key frames reserves about a quarter of what it used to (152 MB).
        #expect(StreamLimits().estimatedBytes(
            width: 1920, height: 1080, bufferedFrames: 4, format: .luma8,
            decoderPictures: StreamLimits.decoderPicturesDecodingKeyframes) < 64_000_000)
    }

    @Test("Sizes whose estimate overflows are reported as needing everything")
    func overflow() {
        let limits = StreamLimits()
        #expect(limits.estimatedBytes(width: Int.max / 2, height: 3, bufferedFrames: 4) == .max)
        #expect(limits.estimatedBytes(width: 1 << 30, height: 1 << 30, bufferedFrames: 4, decoderPictures: 1 << 20) == .max)
    }
}
