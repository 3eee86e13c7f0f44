/// Finds letterbox and pillarbox borders: uniform bands of one colour along opposite edges of a
/// picture (top and bottom, left and right, or all four).
///
/// Padding a picture with bars changes its perceptual hash a lot, so the content inside the bars
/// is hashed as well. Bars of any colour count, not only black ones, since the padding is the
/// evader's choice; requiring the same colour on both opposite sides is what tells padding apart
/// from flat content that happens to touch an edge (a colour bar, a sky, a slide background).
enum BorderDetector {
    /// Per-channel distance from the band's colour still counted as the same colour; absorbs
    /// compression noise along the bars.
    static let tolerance = 24
    /// The same on a luma picture, tighter: luma alone cannot see the colour that tells a smooth
    /// gradient (the outskirts of a fractal, a sky) from a bar, and red and blue changing in
    /// opposite directions nearly cancel in it. Padding is flat; compression leaves it within a
    /// few levels.
    static let lumaTolerance = 8
    /// Fraction of a line's samples allowed to stray from the band's colour (noise, ringing).
    static let strayFraction = 0.02

    /// The content rectangle inside the borders of a picture, or `nil` when there are no borders
    /// worth cropping: each band must be at least 2% of the side (and 4 pixels), its opposite band
    /// too and of the same colour, and the content must keep at least a quarter of each side and
    /// 32 pixels. On a luma picture "colour" is its grey level.
    static func contentRect(of picture: ConvertedPicture) -> CropRect? {
        let width = picture.width
        let height = picture.height
        let channels = picture.format.bytesPerPixel
        guard width >= 32, height >= 32, picture.pixels.count >= width * height * channels else { return nil }
        return picture.pixels.withUnsafeBufferPointer { buffer -> CropRect? in
            let picture = Picture(pixels: buffer, width: width, height: height, channels: channels)
            let (top, bottom) = picture.bandPair(length: height, isRow: true, minimum: max(4, height / 50))
            let (left, right) = picture.bandPair(length: width, isRow: false, minimum: max(4, width / 50))
            guard top + bottom + left + right > 0 else { return nil }
            let innerWidth = width - left - right
            let innerHeight = height - top - bottom
            guard innerWidth >= max(32, width / 4), innerHeight >= max(32, height / 4) else { return nil }
            return CropRect(x: left, y: top, width: innerWidth, height: innerHeight)
        }
    }

    private struct Picture {
        let pixels: UnsafeBufferPointer<UInt8>
        let width: Int
        let height: Int
        /// 3 for RGB, 1 for luma, whose grey level stands for all three channels.
        let channels: Int

        /// The bands at both ends of one axis, or zeros unless both are thick enough and alike.
        func bandPair(length: Int, isRow: Bool, minimum: Int) -> (Int, Int) {
            // The outermost lines decide cheaply whether there is anything to measure; most pictures
            // stop here.
            guard let first = uniformColour(line: 0, isRow: isRow),
                  let last = uniformColour(line: length - 1, isRow: isRow), close(first, last) else { return (0, 0) }
            let near = band(lines: 0..<length, isRow: isRow)
            let far = band(lines: (0..<length).reversed(), isRow: isRow)
            guard near.count >= minimum, far.count >= minimum, let a = near.colour, let b = far.colour,
                  close(a, b) else { return (0, 0) }
            return (near.count, far.count)
        }

        /// How many consecutive lines, in the order given, match the colour of the first one.
        private func band<Lines: Sequence<Int>>(lines: Lines, isRow: Bool) -> (count: Int, colour: (Int, Int, Int)?) {
            var count = 0
            var reference: (Int, Int, Int)?
            for line in lines {
                guard let colour = uniformColour(line: line, isRow: isRow) else { break }
                if let reference {
                    guard close(colour, reference) else { break }
                } else {
                    reference = colour
                }
                count += 1
            }
            return (count, reference)
        }

        /// The line's mean colour if nearly all of its pixels are within tolerance of it.
        private func uniformColour(line: Int, isRow: Bool) -> (Int, Int, Int)? {
            let length = isRow ? width : height
            var sum = (0, 0, 0)
            for position in 0..<length {
                let colour = self.colour(at: offset(line: line, position: position, isRow: isRow))
                sum.0 += colour.0
                sum.1 += colour.1
                sum.2 += colour.2
            }
            let mean = (sum.0 / length, sum.1 / length, sum.2 / length)
            var strays = 0
            let allowed = Int(Double(length) * BorderDetector.strayFraction)
            for position in 0..<length {
                if !close(colour(at: offset(line: line, position: position, isRow: isRow)), mean) {
                    strays += 1
                    if strays > allowed { return nil }
                }
            }
            return mean
        }

        private func offset(line: Int, position: Int, isRow: Bool) -> Int {
            isRow ? (line * width + position) * channels : (position * width + line) * channels
        }

        @inline(__always)
        private func colour(at offset: Int) -> (Int, Int, Int) {
            guard channels == 3 else {
                let grey = Int(pixels[offset])
                return (grey, grey, grey)
            }
            return (Int(pixels[offset]), Int(pixels[offset + 1]), Int(pixels[offset + 2]))
        }

        private func close(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Bool {
            let limit = channels == 3 ? BorderDetector.tolerance : BorderDetector.lumaTolerance
            return abs(a.0 - b.0) <= limit && abs(a.1 - b.1) <= limit && abs(a.2 - b.2) <= limit
        }
    }
}
