import CFFmpeg

/// Owns the `SwsContext` that turns decoded pictures into one packed output format (RGB24 or
/// 8-bit grey), at their own size or shrunk.
final class PictureScaler {
    /// Why a picture could not be converted.
    enum Failure: Error {
        /// swscale has no path from this pixel format to the output format.
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
    private let output: AVPixelFormat
    private let bytesPerPixel: Int
    private var context: OpaquePointer?
    private var geometry: Geometry?
    /// Aligned scratch picture swscale writes into; rows are then packed into the output array.
    private let scratch: DecodedFrame

    /// A scaler to `output`, whose pixels take `bytesPerPixel` bytes.
    init(profile: ConversionProfile, output: AVPixelFormat, bytesPerPixel: Int) throws(AVFailure) {
        self.profile = profile
        self.output = output
        self.bytesPerPixel = bytesPerPixel
        scratch = try DecodedFrame()
    }

    deinit {
        sws_freeContext(context)
    }

    /// The size of a `width`×`height` picture shrunk (never enlarged) so neither side exceeds
    /// `maxDimension` when one is given, keeping the aspect ratio.
    static func outputSize(width: Int, height: Int, fittingIn maxDimension: Int?) -> (width: Int, height: Int) {
        guard let maxDimension, maxDimension > 0, max(width, height) > maxDimension else { return (width, height) }
        let scale = Double(maxDimension) / Double(max(width, height))
        return (max(1, Int((Double(width) * scale).rounded())), max(1, Int((Double(height) * scale).rounded())))
    }

    /// Converts `frame` to rows of exactly `width * bytesPerPixel` bytes, scaled to
    /// `width`×`height`. Scaling inside the conversion costs far less than converting at full
    /// size and shrinking afterwards.
    func convert(_ frame: DecodedFrame, width outputWidth: Int, height outputHeight: Int) throws(Failure) -> [UInt8] {
        let source = frame.pointer
        let wanted = Geometry(
            width: source.pointee.width, height: source.pointee.height, pixelFormat: source.pointee.format,
            outputWidth: Int32(outputWidth), outputHeight: Int32(outputHeight)
        )
        // Streams may change size or pixel format midway; the context and scratch buffer follow.
        if wanted != geometry {
            try reconfigure(for: wanted)
        }
        try allocateScratchIfNeeded()
        let scaled = sws_scale_frame(context, scratch.pointer, source)
        if scaled < 0 { throw .failed(AVFailure(code: scaled)) }
        return packedRows(width: outputWidth, height: outputHeight)
    }

    private func reconfigure(for wanted: Geometry) throws(Failure) {
        sws_freeContext(context)
        context = nil
        geometry = nil
        scratch.unref()

        let sourceFormat = AVPixelFormat(rawValue: wanted.pixelFormat)
        guard let created = sws_getContext(
            wanted.width, wanted.height, sourceFormat,
            wanted.outputWidth, wanted.outputHeight, output,
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
        scratch.pointer.pointee.format = output.rawValue
        scratch.pointer.pointee.width = geometry.outputWidth
        scratch.pointer.pointee.height = geometry.outputHeight
        let allocated = av_frame_get_buffer(scratch.pointer, 0)
        if allocated < 0 { throw .failed(AVFailure(code: allocated)) }
    }

    private func packedRows(width: Int, height: Int) -> [UInt8] {
        let rowBytes = width * bytesPerPixel
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
