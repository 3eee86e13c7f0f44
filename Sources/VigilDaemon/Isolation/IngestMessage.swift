import Foundation
import VigilMedia

/// What an ingest child (`vigil ingest`) tells the daemon over its standard output: the frames
/// its session samples, and its session's status (a live stream's child), or what the input is
/// and how its reading ended (a scan job's child).
///
/// On the wire each message is one kind byte, a 4-byte big-endian payload length, and the
/// payload. A frame's payload is a 4-byte header length, the JSON ``FrameHeader`` and the pixels
/// (RGB or luma, as the header says); the other payloads are JSON (``SourceStatus``,
/// ``MediaInfo``, ``Ending``). The daemon reads it with
/// ``IngestMessageDecoder``, which trusts none of it: a child decodes hostile media and may be
/// subverted by it.
enum IngestMessage: Sendable {
    /// A sampled frame.
    case frame(Frame)
    /// The session's state, counters and latest fault.
    case status(SourceStatus)
    /// A scan job's input opened: what it is.
    case opened(MediaInfo)
    /// A scan job's input was read to its end, or failed.
    case ended(Ending)

    static let frameKind: UInt8 = 1
    static let statusKind: UInt8 = 2
    static let openedKind: UInt8 = 3
    static let endedKind: UInt8 = 4

    /// How a scan job's reading ended.
    struct Ending: Codable, Equatable {
        /// Why it failed; nil when the input was read to its end.
        var error: MediaError?
    }

    /// A frame's fields besides its pixels.
    struct FrameHeader: Codable {
        var index: Int
        var ptsSeconds: Double
        var isKeyframe: Bool
        var width: Int
        var height: Int
        var format: PictureFormat
        var observedAt: Double
        var crop: CropRect?
    }

    /// The message's bytes on the wire.
    func encoded() throws -> [UInt8] {
        switch self {
        case .frame(let frame):
            let header = try JSONEncoder().encode(FrameHeader(
                index: frame.index, ptsSeconds: frame.ptsSeconds, isKeyframe: frame.isKeyframe, width: frame.width,
                height: frame.height, format: frame.format, observedAt: frame.observedAt.timeIntervalSince1970, crop: frame.crop))
            // One buffer, written once: a 1080p picture is 2 MB of luma, 6 MB of RGB.
            var bytes = [UInt8]()
            bytes.reserveCapacity(9 + header.count + frame.pixels.count)
            bytes.append(Self.frameKind)
            bytes += Self.bigEndian(UInt32(4 + header.count + frame.pixels.count))
            bytes += Self.bigEndian(UInt32(header.count))
            bytes += header
            bytes += frame.pixels
            return bytes
        case .status(let status):
            return try Self.json(status, kind: Self.statusKind)
        case .opened(let info):
            return try Self.json(info, kind: Self.openedKind)
        case .ended(let ending):
            return try Self.json(ending, kind: Self.endedKind)
        }
    }

    private static func json(_ value: some Encodable, kind: UInt8) throws -> [UInt8] {
        let body = try JSONEncoder().encode(value)
        return [kind] + bigEndian(UInt32(body.count)) + Array(body)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
