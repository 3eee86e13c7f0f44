import Testing
@testable import VigilMedia

/// The pure bookkeeping behind sampling and timestamps, checked without decoding anything.
@Suite("Sampling rules")
struct SamplingRuleTests {
    @Test("Slots land on boundaries that are exact in decimal but not in binary")
    func slotBoundaries() {
        #expect(SamplingContext.slot(time: 0.3, interval: 0.1) == 3)
        #expect(SamplingContext.slot(time: 0.29, interval: 0.1) == 2)
        #expect(SamplingContext.slot(time: 0.7, interval: 0.1) == 7)
        #expect(SamplingContext.slot(time: 1.0, interval: 0) == 0)
        #expect(SamplingContext.slot(time: .nan, interval: 1) == 0)
    }

    @Test func dimensionLimits() throws {
        let limits = DimensionLimits(MediaReaderOptions(maxDimension: 100, maxPixels: 5000))
        try limits.check(width: 1, height: 1, url: "a")
        try limits.check(width: 100, height: 50, url: "a")
        #expect(throws: MediaError.invalidDimensions(url: "a", width: 0, height: 10)) {
            try limits.check(width: 0, height: 10, url: "a")
        }
        #expect(throws: MediaError.dimensionsTooLarge(url: "a", width: 101, height: 1, limit: 100)) {
            try limits.check(width: 101, height: 1, url: "a")
        }
        #expect(throws: MediaError.tooManyPixels(url: "a", width: 100, height: 51, limit: 5000)) {
            try limits.check(width: 100, height: 51, url: "a")
        }
        let absurd = DimensionLimits(MediaReaderOptions(maxDimension: .max, maxPixels: .max))
        #expect(throws: MediaError.self) { try absurd.check(width: .max, height: .max, url: "a") }
    }

    @Test("Error descriptions are one line that names the input")
    func errorDescriptions() {
        let errors: [MediaError] = [
            .openFailed(url: "clip.mp4", reason: "first line\nsecond line"),
            .noVideoStream(url: "clip.mp4"),
            .unsupportedCodec(url: "clip.mp4", codec: "prores"),
            .invalidDimensions(url: "clip.mp4", width: 0, height: 0),
            .dimensionsTooLarge(url: "clip.mp4", width: 20000, height: 20000, limit: 16384),
            .tooManyPixels(url: "clip.mp4", width: 9000, height: 9000, limit: 67_108_864),
            .readFailed(url: "clip.mp4", reason: "I/O error"),
            .decodeFailed(url: "clip.mp4", reason: "bad"),
            .noFrames(url: "clip.mp4"),
            .cancelled(url: "clip.mp4"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("clip.mp4: "))
            #expect(!error.description.contains("\n"))
            #expect(error.url == "clip.mp4")
        }
        #expect(MediaError.noVideoStream(url: "clip.mp4").description == "clip.mp4: no video stream (audio only?)")
        #expect(MediaError.cancelled(url: "x.mkv").description == "x.mkv: cancelled")
    }

    @Test func stillImageDetection() {
        func stream(_ codec: String, frames: Int64 = 0) -> StreamDescription {
            StreamDescription(
                index: 0, codecName: codec, width: 10, height: 10, timeBase: .init(numerator: 1, denominator: 25),
                startTime: nil, duration: nil, averageFrameRate: .init(numerator: 0, denominator: 1),
                baseFrameRate: .init(numerator: 25, denominator: 1), frameCount: frames
            )
        }
        #expect(stream("mjpeg").isStillImage(formatName: "image2"))
        #expect(stream("mjpeg").isStillImage(formatName: "jpeg_pipe"))
        #expect(stream("png").isStillImage(formatName: "png_pipe"))
        #expect(!stream("mjpeg").isStillImage(formatName: "avi"))
        #expect(!stream("h264").isStillImage(formatName: "mov,mp4,m4a,3gp,3g2,mj2"))
        #expect(stream("png", frames: 1).isStillImage(formatName: "matroska,webm"))
        #expect(!stream("png", frames: 30).isStillImage(formatName: "mov,mp4,m4a,3gp,3g2,mj2"))
    }
}

/// Reading declared sizes out of image headers, so oversized pictures can be named before decoding.
@Suite("Image headers")
struct ImageHeaderTests {
    private func declared(_ bytes: [UInt8]) -> [Int]? {
        ImageHeader.declaredSize(of: bytes).map { [$0.width, $0.height] }
    }

    @Test func png() {
        let bytes = [UInt8](PNGBuilder.png(width: 20000, height: 300, rows: [[0, 0, 0]]))
        #expect(declared(bytes) == [20000, 300])
    }

    @Test("JPEG: skips other segments to the frame header")
    func jpeg() {
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += [0xFF, 0xE0, 0x00, 0x06, 0x4A, 0x46, 0x49, 0x46] // APP0, 4 payload bytes
        bytes += [0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00] // DHT shares the SOF marker range
        bytes += [0xFF, 0xFF] // fill byte
        bytes += [0xFF, 0xC2, 0x00, 0x11, 0x08, 0x4E, 0x20, 0x75, 0x30, 0x03] // progressive SOF: 30000x20000
        #expect(declared(bytes) == [30000, 20000])
        #expect(declared([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02]) == nil)
        #expect(declared([0xFF, 0xD8, 0xFF, 0xE0, 0x00]) == nil)
    }

    @Test func gifAndBMP() {
        let gif: [UInt8] = Array("GIF89a".utf8) + [0x10, 0x27, 0x20, 0x4E]
        #expect(declared(gif) == [10000, 20000])
        var bmp = [UInt8](repeating: 0, count: 26)
        bmp[0] = 0x42; bmp[1] = 0x4D
        bmp.replaceSubrange(18..<22, with: [0x20, 0x4E, 0, 0]) // 20000
        bmp.replaceSubrange(22..<26, with: [0x9C, 0xFF, 0xFF, 0xFF]) // -100: top-down
        #expect(declared(bmp) == [20000, 100])
    }

    @Test func webp() {
        var extended = Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBPVP8X".utf8) + [UInt8](repeating: 0, count: 18)
        extended.replaceSubrange(24..<27, with: [0x1F, 0x4E, 0x00]) // width - 1 = 19999
        extended.replaceSubrange(27..<30, with: [0x63, 0x00, 0x00]) // height - 1 = 99
        #expect(declared(extended) == [20000, 100])
    }

    @Test func unknownBytes() {
        #expect(declared([]) == nil)
        #expect(declared(Array("hello, world, this is text".utf8)) == nil)
    }
}
