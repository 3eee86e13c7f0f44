import CFFmpeg

/// The decoder's own 8-bit luma plane of a picture, borrowed: valid until the frame is unreferenced.
struct LumaPlane {
    /// First byte of the top row.
    let base: UnsafePointer<UInt8>
    /// Bytes between the starts of consecutive rows.
    let stride: Int
    let width: Int
    let height: Int
    /// Whether black is 0 and white 255 (JPEG range, grey formats), rather than 16 and 235 (the
    /// video range most streams use).
    let isFullRange: Bool

    /// Luma of one pixel as it is stored (video range or full range, see ``isFullRange``).
    @inline(__always)
    subscript(row: Int, column: Int) -> UInt8 { base[row * stride + column] }
}

extension DecodedFrame {
    /// The picture's first plane when it is 8-bit luma of its own (planar and semi-planar YUV,
    /// grey); `nil` for RGB, paletted, packed YUV and high bit depth pictures, which need a
    /// conversion to give luma.
    var lumaPlane: LumaPlane? {
        let frame = pointer.pointee
        guard frame.width > 0, frame.height > 0, let plane = frame.data.0, frame.linesize.0 > 0,
              let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: frame.format)) else { return nil }
        let flags = descriptor.pointee.flags
        let luma = descriptor.pointee.comp.0
        let unsupported = UInt64(AV_PIX_FMT_FLAG_RGB) | UInt64(AV_PIX_FMT_FLAG_PAL) | UInt64(AV_PIX_FMT_FLAG_BITSTREAM)
        guard flags & unsupported == 0, luma.plane == 0, luma.step == 1, luma.depth == 8, luma.shift == 0 else {
            return nil
        }
        // The deprecated yuvj formats and grey pictures are full range whatever the frame says;
        // otherwise the frame's own tag decides, and untagged video is video range.
        let isGrey = descriptor.pointee.nb_components <= 2
        let isFullRange = Self.fullRangeFormats.contains(frame.format) || frame.color_range == AVCOL_RANGE_JPEG
            || (isGrey && frame.color_range != AVCOL_RANGE_MPEG)
        return LumaPlane(
            base: UnsafePointer(plane), stride: Int(frame.linesize.0), width: Int(frame.width),
            height: Int(frame.height), isFullRange: isFullRange)
    }

    private static let fullRangeFormats: Set<Int32> = [
        AV_PIX_FMT_YUVJ420P.rawValue, AV_PIX_FMT_YUVJ422P.rawValue, AV_PIX_FMT_YUVJ444P.rawValue,
        AV_PIX_FMT_YUVJ440P.rawValue, AV_PIX_FMT_YUVJ411P.rawValue,
    ]

    /// A ``Thumbnail`` read straight from the decoded picture's luma plane, without converting
    /// it: cheap enough to run on every decoded frame for scene detection.
    ///
    /// Returns `nil` when there is no such plane (see ``lumaPlane``) and for pictures smaller than
    /// the grid; scene detection skips such pictures, while key-frame and interval sampling still
    /// cover them.
    func lumaThumbnail() -> Thumbnail? {
        guard let plane = lumaPlane, plane.width >= Thumbnail.size, plane.height >= Thumbnail.size else { return nil }
        return Thumbnail(cells: Thumbnail.cells(width: plane.width, height: plane.height) { row, column in Int(plane[row, column]) })
    }
}
