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

    /// Payload size in bytes.
    var size: Int { Int(pointer.pointee.size) }

    /// Presentation timestamp, else decoding timestamp, in the stream's time base; `nil` if neither is known.
    var bestTimestamp: Int64? {
        let nopts = vigil_nopts_value()
        if pointer.pointee.pts != nopts { return pointer.pointee.pts }
        if pointer.pointee.dts != nopts { return pointer.pointee.dts }
        return nil
    }

    /// A new packet referencing the same payload (reference-counted, no copy), for buffering.
    func clone() throws(AVFailure) -> Packet {
        let copy = try Packet()
        let status = av_packet_ref(copy.pointer, pointer)
        if status < 0 { throw AVFailure(code: status) }
        return copy
    }

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
