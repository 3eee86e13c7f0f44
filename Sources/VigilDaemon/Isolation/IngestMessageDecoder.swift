import Foundation
import VigilMedia

/// Reads ``IngestMessage``s from the bytes of an ingest child's standard output, as they arrive.
///
/// Everything is checked before it is believed: the kind, the length (at most a picture at the
/// daemon's pixel limit), the JSON, the picture's size against the limits, and that the pixels
/// fill exactly that size. The first violation is an ``IngestProtocolError``; the daemon then
/// ends the child (it is broken, or subverted) and starts another.
struct IngestMessageDecoder {
    /// Largest side of a picture accepted.
    let maxDimension: Int
    /// Most pixels in a picture accepted.
    let maxPixels: Int
    private var buffer: [UInt8] = []
    private var start = 0

    init(maxDimension: Int, maxPixels: Int) {
        self.maxDimension = maxDimension
        self.maxPixels = maxPixels
    }

    /// Largest payload accepted: a picture at the pixel limit, with room for its header.
    var maxPayload: Int { maxPixels * 3 + 64 * 1024 }

    /// Takes the next bytes read.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // Drop what was consumed before growing, so the buffer holds at most one message and a read.
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Reads what `descriptor` has into `chunk` (blocking until something comes) and takes it;
    /// false at the end of the input or on a read error.
    mutating func read(from descriptor: Int32, using chunk: inout [UInt8]) -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            chunk.withUnsafeBytes { append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            return true
        }
    }

    /// The next complete message, nil when more bytes are needed.
    mutating func next() throws(IngestProtocolError) -> IngestMessage? {
        let available = buffer.count - start
        guard available >= 5 else { return nil }
        let kind = buffer[start]
        let length = Int(Self.uint32(buffer[...], at: start + 1))
        guard (IngestMessage.frameKind...IngestMessage.endedKind).contains(kind) else {
            throw IngestProtocolError("unknown message kind \(kind)")
        }
        let limit = kind == IngestMessage.frameKind ? maxPayload : Self.maxJSONPayload
        guard length <= limit else { throw IngestProtocolError("message of \(length) bytes, over the limit of \(limit)") }
        guard available >= 5 + length else { return nil }
        let payload = buffer[(start + 5)..<(start + 5 + length)]
        start += 5 + length
        switch kind {
        case IngestMessage.frameKind: return .frame(try frame(payload))
        case IngestMessage.statusKind: return .status(try json(SourceStatus.self, payload, "status"))
        case IngestMessage.openedKind: return .opened(try json(MediaInfo.self, payload, "input description"))
        default: return .ended(try json(IngestMessage.Ending.self, payload, "ending"))
        }
    }

    /// Largest status, description or ending accepted: far above any real one.
    static let maxJSONPayload = 1 << 20

    private func frame(_ payload: ArraySlice<UInt8>) throws(IngestProtocolError) -> Frame {
        guard payload.count >= 4 else { throw IngestProtocolError("frame message without a header") }
        let headerLength = Int(Self.uint32(payload, at: payload.startIndex))
        guard headerLength <= min(payload.count - 4, 4096) else { throw IngestProtocolError("frame header of \(headerLength) bytes") }
        let headerStart = payload.startIndex + 4
        let header: IngestMessage.FrameHeader
        do {
            header = try JSONDecoder().decode(IngestMessage.FrameHeader.self, from: Data(payload[headerStart..<(headerStart + headerLength)]))
        } catch {
            throw IngestProtocolError("frame header is not valid JSON: \(error)")
        }
        let (width, height) = (header.width, header.height)
        guard width > 0, height > 0, width <= maxDimension, height <= maxDimension, width * height <= maxPixels else {
            throw IngestProtocolError("frame of \(width)x\(height) is outside the picture limits")
        }
        let pixels = payload[(headerStart + headerLength)...]
        let expected = width * height * header.format.bytesPerPixel
        guard pixels.count == expected else {
            throw IngestProtocolError(
                "\(header.format.rawValue) frame of \(width)x\(height) carries \(pixels.count) bytes of pixels, not \(expected)")
        }
        guard header.ptsSeconds.isFinite, header.observedAt.isFinite else { throw IngestProtocolError("frame with a non-finite time") }
        return Frame(
            index: header.index, ptsSeconds: header.ptsSeconds, isKeyframe: header.isKeyframe, width: width, height: height,
            pixels: Array(pixels), format: header.format, observedAt: Date(timeIntervalSince1970: header.observedAt), crop: header.crop)
    }

    private func json<Value: Decodable>(_ type: Value.Type, _ payload: ArraySlice<UInt8>, _ what: String) throws(IngestProtocolError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(payload))
        } catch {
            throw IngestProtocolError("\(what) is not valid JSON: \(error)")
        }
    }

    /// The big-endian number at `index` (an index of the slice's array).
    private static func uint32(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 << 8 | UInt32(bytes[index + $1]) }
    }
}

/// An ingest child broke the protocol: what was wrong.
struct IngestProtocolError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
