/// Where the downsampler reads luma from: interleaved RGB, or a single 8-bit grey channel.
protocol LumaSource {
    /// The picture read.
    var image: PixelView { get }
    /// Writes the luma of one row, sample `j` at `output[j * stride]`.
    func lumaRow(_ row: Int, into output: UnsafeMutablePointer<Float>, stride: Int)
    /// Luma of one pixel.
    func luma(row: Int, column: Int) -> Float
}

extension LumaSource {
    /// Pixels per row.
    var width: Int { image.width }
    /// Number of rows.
    var height: Int { image.height }
}

/// 8-bit RGB, three bytes a pixel in R, G, B order, rows `bytesPerRow` apart, with luma computed
/// in single precision as the C++ library (and so vPDQ) does.
struct RGBLumaSource: LumaSource {
    let image: PixelView

    init(_ image: PixelView) {
        self.image = image
    }

    // The reference's coefficients, as floats; luma is R·cr + G·cg + B·cb summed left to right.
    static let red: Float = 0.299
    static let green: Float = 0.587
    static let blue: Float = 0.114

    @inline(__always)
    func lumaRow(_ row: Int, into output: UnsafeMutablePointer<Float>, stride: Int) {
        let pixels = image.base + row * image.bytesPerRow
        for column in 0..<width {
            let pixel = pixels + column * 3
            output[column * stride] = Self.red * Float(pixel[0]) + Self.green * Float(pixel[1]) + Self.blue * Float(pixel[2])
        }
    }

    @inline(__always)
    func luma(row: Int, column: Int) -> Float {
        let pixel = image.base + row * image.bytesPerRow + column * 3
        return Self.red * Float(pixel[0]) + Self.green * Float(pixel[1]) + Self.blue * Float(pixel[2])
    }
}

/// 8-bit grey (already luma), rows `bytesPerRow` apart.
struct GreyLumaSource: LumaSource {
    let image: PixelView

    init(_ image: PixelView) {
        self.image = image
    }

    @inline(__always)
    func lumaRow(_ row: Int, into output: UnsafeMutablePointer<Float>, stride: Int) {
        let pixels = image.base + row * image.bytesPerRow
        for column in 0..<width {
            output[column * stride] = Float(pixels[column])
        }
    }

    @inline(__always)
    func luma(row: Int, column: Int) -> Float {
        Float(image.base[row * image.bytesPerRow + column])
    }
}

/// 8-bit RGB with luma computed in double precision and rounded to float, as the `pdqhash` Python
/// binding (and so python-threatexchange and HMA) does. Rounding differs from single precision in
/// the last bit for some pixels, which can move hash bits of flat or gradient images.
struct RGBDoubleLumaSource: LumaSource {
    let image: PixelView

    init(_ image: PixelView) {
        self.image = image
    }

    static let red = 0.299
    static let green = 0.587
    static let blue = 0.114

    @inline(__always)
    func lumaRow(_ row: Int, into output: UnsafeMutablePointer<Float>, stride: Int) {
        let pixels = image.base + row * image.bytesPerRow
        for column in 0..<width {
            let pixel = pixels + column * 3
            output[column * stride] = Float(Self.red * Double(pixel[0]) + Self.green * Double(pixel[1]) + Self.blue * Double(pixel[2]))
        }
    }

    @inline(__always)
    func luma(row: Int, column: Int) -> Float {
        let pixel = image.base + row * image.bytesPerRow + column * 3
        return Float(Self.red * Double(pixel[0]) + Self.green * Double(pixel[1]) + Self.blue * Double(pixel[2]))
    }
}
