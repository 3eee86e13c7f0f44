import CFFmpeg

/// How pictures are converted to RGB24. This is the one place that picks swscale's flags.
///
/// The conversion never resizes, yet the flags still matter: they select how chroma is
/// interpolated and rounded, and hashes are compared bit for bit against references.
enum ConversionProfile: Sendable, Equatable {
    /// Video frames: `SWS_AREA`, which reproduces Meta's vPDQ reference hashes exactly.
    case video
    /// Still images: `SWS_BICUBIC`, the `ffmpeg` command-line tool's default, so pictures match
    /// `ffmpeg -i FILE -f rawvideo -pix_fmt rgb24 -` byte for byte.
    case stillImage

    var swsFlags: Int32 {
        switch self {
        case .video: return SWS_AREA
        case .stillImage: return SWS_BICUBIC
        }
    }
}
