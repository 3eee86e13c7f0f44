import CFFmpeg

extension DecodedFrame {
    /// A ``Thumbnail`` read straight from the decoded picture's first plane, without converting it
    /// to RGB: cheap enough to run on every decoded frame for scene detection.
    ///
    /// Returns `nil` for pixel formats whose first plane is not 8-bit luma (RGB, paletted, high bit
    /// depth), and for pictures smaller than the grid; scene detection skips such pictures, while
    /// key-frame and interval sampling still cover them.
    func lumaThumbnail() -> Thumbnail? {
        let frame = pointer.pointee
        let width = Int(frame.width)
        let height = Int(frame.height)
        guard width >= Thumbnail.size, height >= Thumbnail.size, let plane = frame.data.0, frame.linesize.0 > 0,
              let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: frame.format)) else { return nil }
        let flags = descriptor.pointee.flags
        let luma = descriptor.pointee.comp.0
        let unsupported = UInt64(AV_PIX_FMT_FLAG_RGB) | UInt64(AV_PIX_FMT_FLAG_PAL) | UInt64(AV_PIX_FMT_FLAG_BITSTREAM)
        guard flags & unsupported == 0, luma.plane == 0, luma.step == 1, luma.depth == 8, luma.shift == 0 else {
            return nil
        }
        let stride = Int(frame.linesize.0)
        return Thumbnail(cells: Thumbnail.cells(width: width, height: height) { row, column in Int(plane[row * stride + column]) })
    }
}
