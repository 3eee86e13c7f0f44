import CFFmpeg

/// Owns one `AVPacket`, reused for every read.
final class Packet {
    let pointer: UnsafeMutablePointer<AVPacket>

    init() throws(AVFailure) {
        guard let packet = av_packet_alloc() else { throw .outOfMemory }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    /// Index of the stream the packet belongs to.
    var streamIndex: Int { Int(pointer.pointee.stream_index) }

    /// Whether the demuxer flagged the packet as starting a key frame.
    var isKey: Bool { vigil_packet_is_key(pointer) != 0 }

    /// Up to `limit` payload bytes, for sniffing headers.
    func prefix(_ limit: Int) -> [UInt8] {
        let size = Int(pointer.pointee.size)
        guard size > 0, let data = pointer.pointee.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: min(size, limit)))
    }

    /// Releases the payload so the packet can be read into again.
    func unref() {
        av_packet_unref(pointer)
    }
}
