/// The picture-size policy of ``MediaReaderOptions``, applied both to the probed stream and to
/// every decoded frame (streams may change size midway).
struct DimensionLimits: Sendable, Equatable {
    let maxDimension: Int
    let maxPixels: Int

    init(_ options: MediaReaderOptions) {
        maxDimension = options.maxDimension
        maxPixels = options.maxPixels
    }

    /// Throws when `width`x`height` is empty or beyond the limits.
    func check(width: Int, height: Int, url: String) throws(MediaError) {
        guard width > 0, height > 0 else {
            throw .invalidDimensions(url: url, width: width, height: height)
        }
        guard width <= maxDimension, height <= maxDimension else {
            throw .dimensionsTooLarge(url: url, width: width, height: height, limit: maxDimension)
        }
        // Both sides are at most maxDimension here, so the product cannot overflow for sane limits;
        // multipliedReportingOverflow keeps absurd limits from trapping.
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw .tooManyPixels(url: url, width: width, height: height, limit: maxPixels)
        }
    }
}
