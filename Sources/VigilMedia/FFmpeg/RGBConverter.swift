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
        let outputWidth: Int32
        let outputHeight: Int32
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
        try convert(frame, fittingIn: nil).pixels
    }

    /// Converts `frame` to RGB24, shrunk (never enlarged) so neither side exceeds `maxDimension`
    /// when one is given, keeping the aspect ratio. Scaling inside the conversion costs far less than
    /// converting at full size and shrinking afterwards.
    func convert(_ frame: DecodedFrame, fittingIn maxDimension: Int?) throws(Failure) -> (pixels: [UInt8], width: Int, height: Int) {
        let source = frame.pointer
        let width = source.pointee.width
        let height = source.pointee.height
        var outputWidth = width
        var outputHeight = height
        if let maxDimension, maxDimension > 0, max(width, height) > maxDimension {
            let scale = Double(maxDimension) / Double(max(width, height))
            outputWidth = max(1, Int32((Double(width) * scale).rounded()))
            outputHeight = max(1, Int32((Double(height) * scale).rounded()))
        }
        let wanted = Geometry(
            width: width, height: height, pixelFormat: source.pointee.format,
            outputWidth: outputWidth, outputHeight: outputHeight
        )
        // Streams may change size or pixel format midway; the context and scratch buffer follow.
        if wanted != geometry {
            try reconfigure(for: wanted)
        }
        try allocateScratchIfNeeded()
        let scaled = sws_scale_frame(context, scratch.pointer, source)
        if scaled < 0 { throw .failed(AVFailure(code: scaled)) }
        let pixels = packedRows(width: Int(outputWidth), height: Int(outputHeight))
        return (pixels, Int(outputWidth), Int(outputHeight))
    }

    private func reconfigure(for wanted: Geometry) throws(Failure) {
        sws_freeContext(context)
        context = nil
        geometry = nil
        scratch.unref()

        let sourceFormat = AVPixelFormat(rawValue: wanted.pixelFormat)
        guard let created = sws_getContext(
            wanted.width, wanted.height, sourceFormat,
            wanted.outputWidth, wanted.outputHeight, AV_PIX_FMT_RGB24,
            profile.swsFlags, nil, nil, nil
        ) else {
            let name = av_get_pix_fmt_name(sourceFormat).map { String(cString: $0) } ?? "format \(wanted.pixelFormat)"
            throw .unsupportedPixelFormat(name)
        }
        context = created

        geometry = wanted
    }

    /// Gives the scratch picture's memory back until the next conversion. Worth it when pictures are
    /// converted seconds apart (key frames of many live streams), not when every frame is.
    func releaseScratch() {
        scratch.unref()
    }

    private func allocateScratchIfNeeded() throws(Failure) {
        guard let geometry, scratch.pointer.pointee.data.0 == nil else { return }
        scratch.pointer.pointee.format = AV_PIX_FMT_RGB24.rawValue
        scratch.pointer.pointee.width = geometry.outputWidth
        scratch.pointer.pointee.height = geometry.outputHeight
        let allocated = av_frame_get_buffer(scratch.pointer, 0)
        if allocated < 0 { throw .failed(AVFailure(code: allocated)) }
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
