/// The crops worth hashing for a picture with borders: the tight content rectangle, and boxes of
/// the common frame shapes around it.
///
/// A copy padded with bars of the same colour as bars the original already had (a 2.39:1 film
/// letterboxed in 16:9, then padded again to 4:3) loses both sets of bars to the tight crop, while
/// the known hashes were made from the original's frame, bars included. That frame was almost
/// always one of a few standard shapes, centred on its content, so a box of each shape around the
/// content is hashed too: one of them is the original's frame.
enum CropCandidates {
    /// Width-to-height ratios of the common frame shapes: 4:3, 16:9, 1.85:1 and 2.39:1 of film and
    /// television, and the square and 9:16 vertical frames of phone and social video.
    static let standardAspectRatios: [Double] = [4.0 / 3.0, 16.0 / 9.0, 1.85, 2.39, 1, 9.0 / 16.0]
    /// A shape whose ratio is within this relative difference of the tight crop's adds nothing.
    static let minimumRatioDifference = 0.04
    /// How far (as a share of the picture's side) a box may overhang the picture and still be
    /// moved inside it: bars are measured to the pixel only up to compression noise.
    static let overhangTolerance = 0.02

    /// The tight crop first, then one box per shape that differs from it, fits in the picture, is
    /// not (nearly) the whole picture, and is not (nearly) a box already listed.
    ///
    /// - Parameters:
    ///   - tight: the content inside the borders.
    ///   - width: the picture's width.
    ///   - height: the picture's height.
    static func rects(tight: CropRect, width: Int, height: Int) -> [CropRect] {
        guard tight.width > 0, tight.height > 0, width > 0, height > 0 else { return [tight] }
        let whole = CropRect(x: 0, y: 0, width: width, height: height)
        let tightRatio = Double(tight.width) / Double(tight.height)
        // The input's own shape too: a copy shrunk into a frame of its own shape (windowboxed).
        var result = [tight]
        for ratio in standardAspectRatios + [Double(width) / Double(height)] {
            guard abs(ratio / tightRatio - 1) > minimumRatioDifference,
                  let box = box(around: tight, ratio: ratio, width: width, height: height),
                  !nearlyEqual(box, whole, width: width, height: height),
                  !result.contains(where: { nearlyEqual($0, box, width: width, height: height) }) else { continue }
            result.append(box)
        }
        return result
    }

    /// The box of `ratio` that contains `tight`, grown along one axis and centred on it, moved
    /// inside the picture when it overhangs by no more than the tolerance; `nil` when it does not fit.
    private static func box(around tight: CropRect, ratio: Double, width: Int, height: Int) -> CropRect? {
        let tightRatio = Double(tight.width) / Double(tight.height)
        if ratio > tightRatio {
            let boxWidth = Int((Double(tight.height) * ratio).rounded())
            guard let x = fit(start: tight.x + tight.width / 2 - boxWidth / 2, length: boxWidth, within: width) else { return nil }
            return CropRect(x: x, y: tight.y, width: min(boxWidth, width), height: tight.height)
        }
        let boxHeight = Int((Double(tight.width) / ratio).rounded())
        guard let y = fit(start: tight.y + tight.height / 2 - boxHeight / 2, length: boxHeight, within: height) else { return nil }
        return CropRect(x: tight.x, y: y, width: tight.width, height: min(boxHeight, height))
    }

    /// The start of a span of `length` moved inside `0..<side`, or `nil` when it overhangs more
    /// than the tolerance.
    private static func fit(start: Int, length: Int, within side: Int) -> Int? {
        let allowed = Int(Double(side) * overhangTolerance)
        guard length <= side + allowed else { return nil }
        let overhang = max(0, -start) + max(0, start + length - side)
        guard overhang <= allowed else { return nil }
        return max(0, min(start, side - min(length, side)))
    }

    /// Two boxes whose edges all lie within the tolerance of each other.
    private static func nearlyEqual(_ a: CropRect, _ b: CropRect, width: Int, height: Int) -> Bool {
        let dx = max(1, Int(Double(width) * overhangTolerance))
        let dy = max(1, Int(Double(height) * overhangTolerance))
        return abs(a.x - b.x) <= dx && abs(a.y - b.y) <= dy
            && abs(a.x + a.width - b.x - b.width) <= dx && abs(a.y + a.height - b.y - b.height) <= dy
    }
}
