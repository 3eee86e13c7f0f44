@testable import VigilMedia

/// `pixels` (packed RGB24) as a converted RGB picture.
func rgb(_ pixels: [UInt8], width: Int, height: Int) -> ConvertedPicture {
    ConvertedPicture(pixels: pixels, width: width, height: height, format: .rgb24)
}

/// The luma picture of `pixels` (packed RGB24), as the decoder's plane would give it: full-range
/// BT.601 luma.
func luma(_ pixels: [UInt8], width: Int, height: Int) -> ConvertedPicture {
    let grey = (0..<(width * height)).map { index in
        let red = Double(pixels[index * 3]), green = Double(pixels[index * 3 + 1]), blue = Double(pixels[index * 3 + 2])
        return UInt8((0.299 * red + 0.587 * green + 0.114 * blue).rounded())
    }
    return ConvertedPicture(pixels: grey, width: width, height: height, format: .luma8)
}
