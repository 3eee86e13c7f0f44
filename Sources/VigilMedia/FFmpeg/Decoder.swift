import CFFmpeg

/// Owns one opened `AVCodecContext` decoding a single video stream.
final class Decoder {
    /// Why a decoder could not be set up.
    enum OpenFailure: Error {
        /// FFmpeg was built without a decoder for this codec.
        case noDecoder(codecName: String)
        /// The decoder exists but refused the stream's parameters.
        case failed(AVFailure)
    }

    /// How the decoder is configured.
    struct Configuration {
        /// Decoder threads; 0 lets FFmpeg choose.
        var threads: Int
        /// Let the decoder drop everything but key frames.
        var keyframesOnly: Bool
        /// Pictures with more pixels are refused before their buffers are allocated.
        var maxPixels: Int
        /// Slice threading only: frame threading holds pictures back by one frame per thread,
        /// latency a live source cannot afford.
        var lowLatency: Bool = false
        /// Every picture in buffers of its own, freed with it, instead of FFmpeg's pool, which
        /// keeps every buffer until the decoder closes: for live streams, whose key frames come
        /// seconds apart.
        var unpooledPictures: Bool = false
    }

    private var pointer: UnsafeMutablePointer<AVCodecContext>

    init(format: FormatContext, streamIndex: Int, configuration: Configuration) throws(OpenFailure) {
        guard let stream = format.avStream(at: streamIndex), let parameters = stream.pointee.codecpar else {
            throw .failed(.invalidArgument)
        }
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw .noDecoder(codecName: String(cString: avcodec_get_name(parameters.pointee.codec_id)))
        }
        guard let context = avcodec_alloc_context3(codec) else { throw .failed(.outOfMemory) }
        pointer = context

        let copied = avcodec_parameters_to_context(context, parameters)
        if copied < 0 { throw .failed(AVFailure(code: copied)) }
        context.pointee.pkt_timebase = stream.pointee.time_base
        context.pointee.thread_count = Int32(clamping: max(0, configuration.threads))
        // Files are not latency-sensitive, so frame threading (the faster kind) is allowed there.
        context.pointee.thread_type = configuration.lowLatency ? FF_THREAD_SLICE : FF_THREAD_FRAME | FF_THREAD_SLICE
        context.pointee.max_pixels = Int64(clamping: configuration.maxPixels)
        if configuration.keyframesOnly {
            context.pointee.skip_frame = AVDISCARD_NONKEY
        }
        if configuration.unpooledPictures {
            context.pointee.get_buffer2 = vigil_get_buffer_unpooled
        }
        let opened = avcodec_open2(context, codec, nil)
        if opened < 0 { throw .failed(AVFailure(code: opened)) }
        // Most of a decoder's private context is never written (750 KB of which 50 KB are used,
        // for H.264 key frames at 1080p), yet zeroing it made all of it resident: per live
        // stream, a fifth of its memory. Only a decoder that runs on the calling thread alone
        // (live streams): no other thread may write the context between the check and the release.
        if context.pointee.thread_count == 1 {
            _ = vigil_release_zero_pages(context.pointee.priv_data)
        }
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = pointer
        avcodec_free_context(&context)
    }

    /// The codec this decoder was opened for (`AVCodecID`).
    var codecID: UInt32 { pointer.pointee.codec_id.rawValue }

    /// Whether the decoder discards everything but key frames. Takes effect from the next packet.
    var keyframesOnly: Bool {
        get { pointer.pointee.skip_frame == AVDISCARD_NONKEY }
        set { pointer.pointee.skip_frame = newValue ? AVDISCARD_NONKEY : AVDISCARD_DEFAULT }
    }

    /// Drops every buffered picture and reference, so decoding can restart at a key frame or
    /// resume after a flush with `send(nil)`.
    func flush() {
        avcodec_flush_buffers(pointer)
    }

    /// Hands a packet to the decoder; `nil` signals the end of input so it flushes its delayed frames.
    func send(_ packet: Packet?) -> AVStepResult {
        AVStepResult(returnCode: avcodec_send_packet(pointer, packet?.pointer))
    }

    /// Takes the next decoded picture, if one is ready.
    func receive(into frame: DecodedFrame) -> AVStepResult {
        AVStepResult(returnCode: avcodec_receive_frame(pointer, frame.pointer))
    }
}
