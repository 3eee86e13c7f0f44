import CFFmpeg

/// Owns one opened `AVFormatContext`: the demuxer for a single input.
final class FormatContext {
    let pointer: UnsafeMutablePointer<AVFormatContext>
    /// Kept alive here because FFmpeg's callbacks reach it through an unretained pointer.
    private let callbacks: InputGuard.CallbackBox
    let inputGuard: InputGuard

    /// Opens `url` under `inputGuard`, which bounds every blocking call and vets every URL opened.
    ///
    /// - Parameter options: demuxer and protocol options (timeouts, the protocol whitelist, probing
    ///   limits). Options no component recognised are ignored, as FFmpeg does.
    init(url: String, guard inputGuard: InputGuard, options: [String: String] = [:]) throws(AVFailure) {
        guard let allocated = avformat_alloc_context() else { throw .outOfMemory }
        // Blocking I/O inside FFmpeg consults the interrupt callback, which is what lets cancel()
        // and deadlines interrupt it; the open callback enforces the whitelist.
        let callbacks = inputGuard.install(on: allocated)
        var context: UnsafeMutablePointer<AVFormatContext>? = allocated
        var dictionary: OpaquePointer?
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        // Options the demuxer did not consume are left in the dictionary.
        defer { av_dict_free(&dictionary) }
        // On failure avformat_open_input frees the context and sets it to NULL.
        let status = avformat_open_input(&context, url, nil, &dictionary)
        guard status >= 0, let opened = context else {
            throw AVFailure(code: status < 0 ? status : vigil_averror_einval())
        }
        pointer = opened
        self.callbacks = callbacks
        self.inputGuard = inputGuard
    }

    deinit {
        // Closing may talk to the peer (RTMP, RTSP teardown); a short deadline keeps a dead peer
        // from holding the thread.
        inputGuard.setDeadline(secondsFromNow: 1)
        var context: UnsafeMutablePointer<AVFormatContext>? = pointer
        avformat_close_input(&context)
    }

    /// The input's size in bytes as its protocol reports it (a file's size, an HTTP answer's
    /// length); nil when unknown (a stream, a chunked answer).
    var byteSize: Int64? {
        guard let io = pointer.pointee.pb else { return nil }
        let size = avio_size(io)
        return size > 0 ? size : nil
    }

    /// Probes the streams, decoding a few packets if the header is not enough.
    ///
    /// - Parameters:
    ///   - maxPixels: passed to the probing decoders so a hostile header cannot make them allocate
    ///     a huge picture before the caller has seen the dimensions.
    ///   - probeBytes: the most bytes read while probing, when not the limit the input opened with.
    func findStreamInfo(maxPixels: Int, probeBytes: Int64? = nil) throws(AVFailure) {
        if let probeBytes { pointer.pointee.probesize = probeBytes }
        let count = Int(pointer.pointee.nb_streams)
        var perStream = [OpaquePointer?](repeating: nil, count: count)
        for index in perStream.indices {
            av_dict_set(&perStream[index], "max_pixels", String(maxPixels), 0)
        }
        defer {
            for index in perStream.indices { av_dict_free(&perStream[index]) }
        }
        let status = perStream.withUnsafeMutableBufferPointer { buffer in
            avformat_find_stream_info(pointer, buffer.baseAddress)
        }
        if status < 0 { throw AVFailure(code: status) }
    }

    /// The stream FFmpeg considers the main video stream, if there is one.
    func bestVideoStreamIndex() -> Int? {
        let index = av_find_best_stream(pointer, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        return index >= 0 ? Int(index) : nil
    }

    /// The short name of the demuxer, such as `mov,mp4,m4a,3gp,3g2,mj2` or `png_pipe`.
    var formatName: String {
        guard let format = pointer.pointee.iformat, let name = format.pointee.name else { return "" }
        return String(cString: name)
    }

    /// The container's duration in seconds, when known.
    var durationSeconds: Double? {
        let duration = pointer.pointee.duration
        guard duration != vigil_nopts_value(), duration > 0 else { return nil }
        return Double(duration) / Double(vigil_av_time_base())
    }

    func stream(at index: Int) -> StreamDescription? {
        guard let stream = avStream(at: index) else { return nil }
        let parameters = stream.pointee.codecpar.pointee
        let nopts = vigil_nopts_value()
        return StreamDescription(
            index: index,
            codecName: String(cString: avcodec_get_name(parameters.codec_id)),
            width: Int(parameters.width),
            height: Int(parameters.height),
            timeBase: .init(stream.pointee.time_base),
            startTime: stream.pointee.start_time == nopts ? nil : stream.pointee.start_time,
            duration: stream.pointee.duration == nopts || stream.pointee.duration <= 0 ? nil : stream.pointee.duration,
            averageFrameRate: .init(stream.pointee.avg_frame_rate),
            baseFrameRate: .init(stream.pointee.r_frame_rate),
            frameCount: stream.pointee.nb_frames
        )
    }

    /// Reads the next packet of any stream into `packet`.
    func read(into packet: Packet) -> AVStepResult {
        AVStepResult(returnCode: av_read_frame(pointer, packet.pointer))
    }

    /// The codec of stream `index`, to notice a stream that switches codec midway.
    func codecID(ofStream index: Int) -> UInt32? {
        guard let stream = avStream(at: index), let parameters = stream.pointee.codecpar else { return nil }
        return parameters.pointee.codec_id.rawValue
    }

    func avStream(at index: Int) -> UnsafeMutablePointer<AVStream>? {
        guard index >= 0, index < Int(pointer.pointee.nb_streams), let streams = pointer.pointee.streams else {
            return nil
        }
        return streams[index]
    }
}

extension StreamDescription.Rational {
    init(_ rational: AVRational) {
        self.init(numerator: rational.num, denominator: rational.den)
    }
}
