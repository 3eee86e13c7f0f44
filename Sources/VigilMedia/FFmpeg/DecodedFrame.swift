import CFFmpeg

/// Owns one `AVFrame`, reused for every decoded or converted picture.
final class DecodedFrame {
    let pointer: UnsafeMutablePointer<AVFrame>

    init() throws(AVFailure) {
        guard let frame = av_frame_alloc() else { throw .outOfMemory }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    var width: Int { Int(pointer.pointee.width) }
    var height: Int { Int(pointer.pointee.height) }

    /// The raw `AVPixelFormat` value.
    var pixelFormat: Int32 { pointer.pointee.format }

    /// The decoder's best guess of the presentation timestamp, in stream time base; `nil` if unknown.
    var bestEffortTimestamp: Int64? {
        let value = pointer.pointee.best_effort_timestamp
        return value == vigil_nopts_value() ? nil : value
    }

    /// Whether the decoder marked the picture as a key frame.
    var isKey: Bool { vigil_frame_is_key(pointer) != 0 }

    /// Whether the picture is intra-coded (`AV_PICTURE_TYPE_I`), which makes it decodable on its own.
    /// Recovery points of intra-refresh streams are flagged as key frames yet are P pictures.
    var isIntraPicture: Bool { pointer.pointee.pict_type == AV_PICTURE_TYPE_I }

    /// Releases the picture buffers so the frame can receive the next picture.
    func unref() {
        av_frame_unref(pointer)
    }
}
