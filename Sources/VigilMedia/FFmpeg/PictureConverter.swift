import CFFmpeg

/// Turns a decoded picture into the packed pixels a ``Frame`` carries, in one ``PictureFormat``.
///
/// For ``PictureFormat/luma8``, pictures with an 8-bit luma plane of their own (nearly every
/// video) are read straight from it: one pass over a third of the bytes an RGB conversion
/// writes, video-range values stretched to full range through a table. Everything else, and
/// every picture shrunk on the way, goes through swscale.
final class PictureConverter {
    /// The format of every picture this converter gives.
    let format: PictureFormat
    private let scaler: PictureScaler

    init(format: PictureFormat, profile: ConversionProfile) throws(AVFailure) {
        self.format = format
        switch format {
        case .rgb24: scaler = try PictureScaler(profile: profile, output: AV_PIX_FMT_RGB24, bytesPerPixel: 3)
        case .luma8: scaler = try PictureScaler(profile: profile, output: AV_PIX_FMT_GRAY8, bytesPerPixel: 1)
        }
    }

    /// `frame` in ``format``, shrunk (never enlarged) so neither side exceeds `maxDimension` when
    /// one is given, keeping the aspect ratio.
    func convert(_ frame: DecodedFrame, fittingIn maxDimension: Int?) throws(PictureScaler.Failure) -> ConvertedPicture {
        let size = PictureScaler.outputSize(width: frame.width, height: frame.height, fittingIn: maxDimension)
        if format == .luma8, size == (frame.width, frame.height), let plane = frame.lumaPlane {
            return ConvertedPicture(pixels: Self.fullRangeCopy(of: plane), width: plane.width, height: plane.height, format: .luma8)
        }
        let pixels = try scaler.convert(frame, width: size.width, height: size.height)
        return ConvertedPicture(pixels: pixels, width: size.width, height: size.height, format: format)
    }

    /// Gives the scaler's scratch memory back until the next conversion. Worth it when pictures
    /// are converted seconds apart (key frames of many live streams), not when every frame is.
    func releaseScratch() {
        scaler.releaseScratch()
    }

    private static func fullRangeCopy(of plane: LumaPlane) -> [UInt8] {
        let width = plane.width
        return [UInt8](unsafeUninitializedCapacity: width * plane.height) { output, initialized in
            guard let destination = output.baseAddress else { initialized = 0; return }
            for row in 0..<plane.height {
                let source = plane.base + row * plane.stride
                let target = destination + row * width
                if plane.isFullRange {
                    target.update(from: source, count: width)
                } else {
                    // Arithmetic rather than a table lookup, so the loop vectorises.
                    for column in 0..<width { target[column] = fullRange(videoLevel: source[column]) }
                }
            }
            initialized = width * plane.height
        }
    }

    /// Video range puts black at 16 and white at 235: `(level - 16) · 255 / 219`, rounded, with
    /// values outside clamped as an RGB conversion clamps them. Computed as a multiply and a
    /// shift whose results equal that rounding for every 8-bit level (a test checks all 256).
    @inline(__always)
    static func fullRange(videoLevel level: UInt8) -> UInt8 {
        UInt8(clamping: ((Int32(level) - 16) &* 2385 &+ 986) >> 11)
    }
}
