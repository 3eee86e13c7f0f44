import CFFmpeg

/// Owns the `SwsContext` that turns decoded pictures into packed RGB24 at their own size.
final class RGBConverter {
    /// Why a picture could not be converted.
    enum Failure: Error {
        /// swscale has no path from this pixel format to RGB24.
        case unsupportedPixelFormat(String)
        case failed(AVFailure)
    }

    private struct Geometry: Equatable {
        let width: Int32
        let height: Int32
        let pixelFormat: Int32
    }

    private let profile: ConversionProfile
    private var context: OpaquePointer?
    private var geometry: Geometry?
    /// Aligned scratch picture swscale writes into; rows are then packed into the output array.
    private let scratch: DecodedFrame

    init(profile: ConversionProfile) throws(AVFailure) {
        self.profile = profile
        scratch = try DecodedFrame()
    }

    deinit {
        sws_freeContext(context)
    }

    /// Converts `frame` to RGB24 rows of exactly `width * 3` bytes.
    func convert(_ frame: DecodedFrame) throws(Failure) -> [UInt8] {
        let source = frame.pointer
        let wanted = Geometry(width: source.pointee.width, height: source.pointee.height, pixelFormat: source.pointee.format)
        // Streams may change size or pixel format midway; the context and scratch buffer follow.
        if wanted != geometry {
            try reconfigure(for: wanted)
        }
        let scaled = sws_scale_frame(context, scratch.pointer, source)
        if scaled < 0 { throw .failed(AVFailure(code: scaled)) }
        return packedRows(width: Int(wanted.width), height: Int(wanted.height))
    }

    private func reconfigure(for wanted: Geometry) throws(Failure) {
        sws_freeContext(context)
        context = nil
        geometry = nil
        scratch.unref()

        let sourceFormat = AVPixelFormat(rawValue: wanted.pixelFormat)
        guard let created = sws_getContext(
            wanted.width, wanted.height, sourceFormat,
            wanted.width, wanted.height, AV_PIX_FMT_RGB24,
            profile.swsFlags, nil, nil, nil
        ) else {
            let name = av_get_pix_fmt_name(sourceFormat).map { String(cString: $0) } ?? "format \(wanted.pixelFormat)"
            throw .unsupportedPixelFormat(name)
        }
        context = created

        scratch.pointer.pointee.format = AV_PIX_FMT_RGB24.rawValue
        scratch.pointer.pointee.width = wanted.width
        scratch.pointer.pointee.height = wanted.height
        let allocated = av_frame_get_buffer(scratch.pointer, 0)
        if allocated < 0 { throw .failed(AVFailure(code: allocated)) }
        geometry = wanted
    }

    private func packedRows(width: Int, height: Int) -> [UInt8] {
        let rowBytes = width * 3
        let stride = Int(scratch.pointer.pointee.linesize.0)
        guard let base = scratch.pointer.pointee.data.0 else { return [UInt8](repeating: 0, count: rowBytes * height) }
        return [UInt8](unsafeUninitializedCapacity: rowBytes * height) { output, initialized in
            guard let destination = output.baseAddress else { initialized = 0; return }
            for row in 0..<height {
                (destination + row * rowBytes).update(from: base + row * stride, count: rowBytes)
            }
            initialized = rowBytes * height
        }
    }
}
