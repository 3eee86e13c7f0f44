import CFFmpeg

extension DecodedFrame {
    /// A `size`x`size` grid of mean luma values read straight from the decoded picture's first plane,
    /// without converting it to RGB: cheap enough to run on every decoded frame for scene detection.
    ///
    /// Each cell averages a 4x4 lattice of samples spread over it. Returns `nil` for pixel formats
    /// whose first plane is not 8-bit luma (RGB, paletted, high bit depth), and for pictures smaller
    /// than the grid; scene detection skips such pictures, while key-frame and interval sampling
    /// still cover them.
    func lumaGrid(size: Int) -> [UInt8]? {
        let frame = pointer.pointee
        let width = Int(frame.width)
        let height = Int(frame.height)
        guard size > 0, width >= size, height >= size, let plane = frame.data.0, frame.linesize.0 > 0,
              let descriptor = av_pix_fmt_desc_get(AVPixelFormat(rawValue: frame.format)) else { return nil }
        let flags = descriptor.pointee.flags
        let luma = descriptor.pointee.comp.0
        let unsupported = UInt64(AV_PIX_FMT_FLAG_RGB) | UInt64(AV_PIX_FMT_FLAG_PAL) | UInt64(AV_PIX_FMT_FLAG_BITSTREAM)
        guard flags & unsupported == 0, luma.plane == 0, luma.step == 1, luma.depth == 8, luma.shift == 0 else {
            return nil
        }
        let stride = Int(frame.linesize.0)
        let samplesPerSide = 4
        var grid = [UInt8](repeating: 0, count: size * size)
        for cellY in 0..<size {
            let top = cellY * height / size
            let cellHeight = max(1, (cellY + 1) * height / size - top)
            for cellX in 0..<size {
                let left = cellX * width / size
                let cellWidth = max(1, (cellX + 1) * width / size - left)
                var sum = 0
                for sy in 0..<samplesPerSide {
                    let row = plane + (top + (2 * sy + 1) * cellHeight / (2 * samplesPerSide)) * stride
                    for sx in 0..<samplesPerSide {
                        sum += Int(row[left + (2 * sx + 1) * cellWidth / (2 * samplesPerSide)])
                    }
                }
                grid[cellY * size + cellX] = UInt8(sum / (samplesPerSide * samplesPerSide))
            }
        }
        return grid
    }
}
