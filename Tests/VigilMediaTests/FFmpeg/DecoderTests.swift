import CFFmpeg
import Glibc
import Testing
import VigilTestSupport

@testable import VigilMedia

@Suite("Decoder")
struct DecoderTests {
    /// The luma of every key frame of `path`, decoded one key packet at a time and flushed after
    /// each, as key-frame sampling does.
    private static func keyFrameLuma(_ path: String, unpooled: Bool) throws -> [[UInt8]] {
        let format = try FormatContext(url: path, guard: InputGuard(cancellation: CancellationFlag()))
        try format.findStreamInfo(maxPixels: 4096 * 4096)
        let index = try #require(format.bestVideoStreamIndex())
        let decoder = try Decoder(
            format: format, streamIndex: index,
            configuration: .init(threads: 1, keyframesOnly: true, maxPixels: 4096 * 4096, lowLatency: true, unpooledPictures: unpooled))
        let packet = try Packet()
        let frame = try DecodedFrame()
        var pictures: [[UInt8]] = []
        while format.read(into: packet) == .done {
            defer { packet.unref() }
            guard packet.pointer.pointee.stream_index == Int32(index), vigil_packet_is_key(packet.pointer) != 0 else { continue }
            _ = decoder.send(packet)
            _ = decoder.send(nil)
            while decoder.receive(into: frame) == .done {
                defer { frame.unref() }
                let plane = try #require(frame.lumaPlane)
                var bytes: [UInt8] = []
                for row in 0..<plane.height {
                    bytes += UnsafeBufferPointer(start: plane.base + row * plane.stride, count: plane.width)
                }
                pictures.append(bytes)
            }
            decoder.flush()
        }
        return pictures
    }

    @Test("pictures in buffers of their own (live streams) equal the pooled ones, key frame by key frame")
    func unpooledPicturesEqualPooled() throws {
        let path = Fixtures.root.appendingPathComponent("Samples/mandelbrot-zoom.mp4").path
        let pooled = try Self.keyFrameLuma(path, unpooled: false)
        let unpooled = try Self.keyFrameLuma(path, unpooled: true)
        #expect(pooled.count >= 3)
        #expect(unpooled == pooled)
    }

    @Test("a context's pages of zeros are handed back to the system, its contents unchanged")
    func zeroPagesReleased() throws {
        let size = (1 << 20) + 123
        let block = try #require(av_mallocz(size)).assumingMemoryBound(to: UInt8.self)
        defer { av_free(block) }
        let written = [0, 4097, 300_000, 300_001, size - 1]
        for (number, offset) in written.enumerated() { block[offset] = UInt8(number + 1) }
        let page = sysconf(Int32(_SC_PAGESIZE))
        let released = vigil_release_zero_pages(block)
        // Every whole page but the (at most) four holding a written byte.
        #expect(released >= size - 6 * page && released <= size)
        #expect(released % page == 0)
        for offset in 0..<size {
            let expected = written.firstIndex(of: offset).map { UInt8($0 + 1) } ?? 0
            if block[offset] != expected {
                Issue.record("byte \(offset) is \(block[offset]), was \(expected)")
                break
            }
        }
        // A released page takes writes again.
        block[600_000] = 9
        #expect(block[600_000] == 9 && block[600_001] == 0)
        #expect(vigil_release_zero_pages(nil) == 0)
    }
}
