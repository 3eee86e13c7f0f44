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

    /// A message's bytes on the wire: `head`, then `pixels` (a frame's, else empty), written back
    /// to back by ``IngestOutput`` rather than joined, so that a picture is written from the
    /// frame itself instead of being copied into a message buffer (a 1080p picture is 2 MB of
    /// luma, and a copy made for every sampled picture is memory the child's allocator hands
    /// back and faults in again).
    struct Wire: Sendable {
        var head: [UInt8]
        var pixels: [UInt8] = []

        /// Both parts joined.
        var bytes: [UInt8] { head + pixels }
    }

    /// The message's bytes on the wire.
    func encoded() throws -> Wire {
        switch self {
        case .frame(let frame):
            let header = try JSONEncoder().encode(FrameHeader(
                index: frame.index, ptsSeconds: frame.ptsSeconds, isKeyframe: frame.isKeyframe, width: frame.width,
                height: frame.height, format: frame.format, observedAt: frame.observedAt.timeIntervalSince1970, crop: frame.crop))
            var head = [Self.frameKind]
            head += Self.bigEndian(UInt32(4 + header.count + frame.pixels.count))
            head += Self.bigEndian(UInt32(header.count))
            head += header
            return Wire(head: head, pixels: frame.pixels)
        case .status(let status):
            return Wire(head: try Self.json(status, kind: Self.statusKind))
        case .opened(let info):
            return Wire(head: try Self.json(info, kind: Self.openedKind))
        case .ended(let ending):
            return Wire(head: try Self.json(ending, kind: Self.endedKind))
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
