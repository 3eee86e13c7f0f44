/// Where the downsampler reads luma from: a picture and the way one pixel's bytes become luma.
protocol LumaSource {
    /// The picture.
    var image: PixelView { get }
    /// Bytes per pixel.
    static var bytesPerPixel: Int { get }
    /// Luma of the pixel whose first byte is at `pixel`.
    static func luma(_ pixel: UnsafePointer<UInt8>) -> Float
}

extension LumaSource {
    var width: Int { image.width }
    var height: Int { image.height }

    /// Writes the luma of one row, sample `j` at `output[j * stride]`.
    @inline(__always)
    func lumaRow(_ row: Int, into output: UnsafeMutablePointer<Float>, stride: Int) {
        let pixels = image.base + row * image.bytesPerRow
        for column in 0..<image.width {
            output[column * stride] = Self.luma(pixels + column * Self.bytesPerPixel)
        }
    }

    /// Luma of one pixel.
    @inline(__always)
    func luma(row: Int, column: Int) -> Float {
        Self.luma(image.base + row * image.bytesPerRow + column * Self.bytesPerPixel)
    }
}

/// 8-bit RGB, three bytes a pixel in R, G, B order, with luma computed in single precision as the
/// C++ library (and so vPDQ) does.
struct RGBLumaSource: LumaSource {
    let image: PixelView
    static let bytesPerPixel = 3

    init(_ image: PixelView) {
        self.image = image
    }

    // The reference's coefficients, as floats; luma is R·cr + G·cg + B·cb summed left to right.
    static let red: Float = 0.299
    static let green: Float = 0.587
    static let blue: Float = 0.114

    @inline(__always)
    static func luma(_ pixel: UnsafePointer<UInt8>) -> Float {
        red * Float(pixel[0]) + green * Float(pixel[1]) + blue * Float(pixel[2])
    }
}

/// 8-bit grey (already luma).
struct GreyLumaSource: LumaSource {
    let image: PixelView
    static let bytesPerPixel = 1

    init(_ image: PixelView) {
        self.image = image
    }

    @inline(__always)
    static func luma(_ pixel: UnsafePointer<UInt8>) -> Float {
        Float(pixel[0])
    }
}

/// 8-bit RGB with luma computed in double precision and rounded to float, as the `pdqhash` Python
/// binding (and so python-threatexchange and HMA) does. Rounding differs from single precision in
/// the last bit for some pixels, which can move hash bits of flat or gradient images.
struct RGBDoubleLumaSource: LumaSource {
    let image: PixelView
    static let bytesPerPixel = 3

    init(_ image: PixelView) {
        self.image = image
    }

    static let red = 0.299
    static let green = 0.587
    static let blue = 0.114

    @inline(__always)
    static func luma(_ pixel: UnsafePointer<UInt8>) -> Float {
        Float(red * Double(pixel[0]) + green * Double(pixel[1]) + blue * Double(pixel[2]))
    }
}
