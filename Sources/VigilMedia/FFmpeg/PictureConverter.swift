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
        let table = plane.isFullRange ? identity : videoToFullRange
        let width = plane.width
        return [UInt8](unsafeUninitializedCapacity: width * plane.height) { output, initialized in
            guard let destination = output.baseAddress else { initialized = 0; return }
            table.withUnsafeBufferPointer { table in
                for row in 0..<plane.height {
                    let source = plane.base + row * plane.stride
                    let target = destination + row * width
                    for column in 0..<width {
                        target[column] = table[Int(source[column])]
                    }
                }
            }
            initialized = width * plane.height
        }
    }

    private static let identity: [UInt8] = (0...255).map { UInt8($0) }

    /// Video range puts black at 16 and white at 235; values outside are clamped, as an RGB
    /// conversion clamps them.
    private static let videoToFullRange: [UInt8] = (0...255).map { value in
        let stretched = (Double(value - 16) * 255 / 219).rounded()
        return UInt8(min(255, max(0, stretched)))
    }
}
