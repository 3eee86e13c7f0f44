import Foundation
import Testing
import VigilMedia
@testable import VigilDaemon

/// The daemon's reading of what an ingest child sends: the child decodes hostile media and may be
/// subverted by it, so nothing it sends is believed unchecked.
@Suite("Ingest protocol")
struct IngestMessageDecoderTests {
    static func frame(width: Int = 4, height: Int = 2, format: PictureFormat = .rgb24, crop: CropRect? = nil) -> Frame {
        Frame(
            index: 7, ptsSeconds: 12.5, isKeyframe: true, width: width, height: height,
            pixels: (0..<(width * height * format.bytesPerPixel)).map { UInt8($0 % 251) }, format: format,
            observedAt: Date(timeIntervalSince1970: 1_800_000_000.25), crop: crop)
    }

    static func decoder() -> IngestMessageDecoder { IngestMessageDecoder(maxDimension: 64, maxPixels: 1024) }

    static func decodeAll(_ bytes: [UInt8], chunk: Int) throws -> [IngestMessage] {
        var decoder = decoder()
        var messages: [IngestMessage] = []
        for start in stride(from: 0, to: bytes.count, by: chunk) {
            bytes[start..<min(bytes.count, start + chunk)].withUnsafeBytes { decoder.append($0) }
            while let message = try decoder.next() { messages.append(message) }
        }
        return messages
    }

    @Test("frames and statuses arrive intact however the pipe splits them")
    func roundTrip() throws {
        var status = SourceStatus(state: .backoff, since: Date(timeIntervalSince1970: 1_800_000_001), detail: "x")
        status.counters.packets = 40
        status.lastFault = SourceFault(error: .unsupportedCodec(url: "udp://127.0.0.1:5000", codec: "mpeg1video"), at: status.since)
        let sent: [IngestMessage] = [.frame(Self.frame()), .status(status), .frame(Self.frame(width: 2, height: 2, format: .luma8, crop: CropRect(x: 1, y: 0, width: 2, height: 2)))]
        let bytes = try sent.flatMap { try $0.encoded().bytes }
        for chunk in [1, 2, 5, 7, 64, bytes.count] {
            let received = try Self.decodeAll(bytes, chunk: chunk)
            #expect(received.count == 3, "chunk \(chunk)")
            guard received.count == 3, case .frame(let first) = received[0], case .status(let got) = received[1],
                  case .frame(let third) = received[2] else { continue }
            #expect(first.pixels == Self.frame().pixels && first.width == 4 && first.ptsSeconds == 12.5 && first.index == 7)
            #expect(first.observedAt == Self.frame().observedAt && first.isKeyframe)
            #expect(got == status)
            #expect(third.crop == CropRect(x: 1, y: 0, width: 2, height: 2))
            #expect(first.format == .rgb24 && third.format == .luma8 && third.pixels == [0, 1, 2, 3])
        }
    }

    @Test("a scan job's description and ending arrive intact, failures with their error")
    func scanMessages() throws {
        let info = MediaInfo(
            url: "/uploads/a.mp4", width: 1280, height: 720, codecName: "h264", frameRate: 25, durationSeconds: 12, isStillImage: false,
            byteSize: 4096)
        let failure = MediaError.decodeFailed(url: "/uploads/a.mp4", reason: "invalid data")
        let sent: [IngestMessage] = [.opened(info), .frame(Self.frame()), .ended(.init(error: nil)), .ended(.init(error: failure))]
        let bytes = try sent.flatMap { try $0.encoded().bytes }
        for chunk in [1, 3, bytes.count] {
            let received = try Self.decodeAll(bytes, chunk: chunk)
            #expect(received.count == 4, "chunk \(chunk)")
            guard received.count == 4, case .opened(let got) = received[0], case .frame = received[1],
                  case .ended(let success) = received[2], case .ended(let failed) = received[3] else { continue }
            #expect(got == info)
            #expect(success.error == nil && failed.error == failure)
        }
    }

    /// A frame message with `header` as its JSON and `pixels` bytes of pixels.
    static func frameBytes(header: String, pixels: Int) -> [UInt8] {
        let json = Array(header.utf8)
        let payload = IngestMessage.bigEndian(UInt32(json.count)) + json + [UInt8](repeating: 1, count: pixels)
        return [IngestMessage.frameKind] + IngestMessage.bigEndian(UInt32(payload.count)) + payload
    }

    /// Bytes a broken or subverted child might send, and what the refusal says.
    static let hostileInputs: [([UInt8], String)] = [
        ([UInt8]([9, 0, 0, 0, 1, 0]), "unknown message kind 9"),
        ([1, 0xFF, 0xFF, 0xFF, 0xFF], "over the limit"),
        ([1, 0, 0, 0, 2, 0, 0], "without a header"),
        ([1, 0, 0, 0, 8, 0, 0, 0x10, 0, 1, 2, 3, 4], "frame header of 4096 bytes"),
        ([2, 0, 0, 0, 3] + Array("{x}".utf8), "status is not valid JSON"),
        ([UInt8]([3, 0, 0, 0, 2]) + [UInt8]("{}".utf8), "input description is not valid JSON"),
        ([UInt8]([4, 0, 0, 0, 12]) + [UInt8](#"{"error":17}"#.utf8), "ending is not valid JSON"),
        ([UInt8]([4, 0, 0x20, 0, 0]), "over the limit of 1048576"),
        (frameBytes(header: #"{"index":0,"ptsSeconds":0,"isKeyframe":true,"width":1,"height":1,"format":"cmyk","observedAt":0}"#, pixels: 4),
         "frame header is not valid JSON"),
        (frameBytes(header: #"{"index":0,"ptsSeconds":0,"isKeyframe":true,"width":1,"height":1,"observedAt":0}"#, pixels: 3),
         "frame header is not valid JSON"),
    ]

    @Test("hostile bytes are refused with what is wrong, never believed, never a crash", arguments: hostileInputs)
    func hostile(bytes: [UInt8], expected: String) {
        var decoder = Self.decoder()
        bytes.withUnsafeBytes { decoder.append($0) }
        #expect {
            _ = try decoder.next()
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("a frame whose size breaks the limits, or whose pixels do not fill it, is refused", arguments: [
        (4, 2, PictureFormat.rgb24, 4 * 2 * 3 - 1, "carries 23 bytes of pixels, not 24"),
        (4, 2, .rgb24, 4 * 2 * 3 + 3, "carries 27 bytes of pixels, not 24"),
        (4, 2, .luma8, 4 * 2 * 3, "luma8 frame of 4x2 carries 24 bytes of pixels, not 8"),
        (65, 1, .rgb24, 65 * 3, "65x1 is outside the picture limits"),
        (32, 33, .luma8, 32 * 33, "32x33 is outside the picture limits"),
        (0, 5, .rgb24, 0, "0x5 is outside the picture limits"),
        (-2, -3, .rgb24, 18, "-2x-3 is outside the picture limits"),
    ])
    func badFrames(width: Int, height: Int, format: PictureFormat, pixelBytes: Int, expected: String) throws {
        let header = try JSONEncoder().encode(IngestMessage.FrameHeader(
            index: 0, ptsSeconds: 0, isKeyframe: true, width: width, height: height, format: format, observedAt: 0, crop: nil))
        let payload = IngestMessage.bigEndian(UInt32(header.count)) + Array(header) + [UInt8](repeating: 1, count: pixelBytes)
        let bytes = [IngestMessage.frameKind] + IngestMessage.bigEndian(UInt32(payload.count)) + payload
        var decoder = Self.decoder()
        bytes.withUnsafeBytes { decoder.append($0) }
        #expect {
            _ = try decoder.next()
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("a message cut short is waited for, not misread")
    func partial() throws {
        let bytes = try IngestMessage.frame(Self.frame()).encoded().bytes
        var decoder = Self.decoder()
        bytes.dropLast().withUnsafeBytes { decoder.append($0) }
        #expect(try decoder.next() == nil)
        bytes.suffix(1).withUnsafeBytes { decoder.append($0) }
        #expect(try decoder.next() != nil)
        #expect(try decoder.next() == nil)
    }
}
