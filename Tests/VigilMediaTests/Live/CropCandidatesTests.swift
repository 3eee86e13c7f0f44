import Testing
@testable import VigilMedia

/// The boxes of standard frame shapes hashed around a picture's content.
@Suite("Crop candidates")
struct CropCandidatesTests {
    @Test("a 2.39:1 film letterboxed in 16:9 and padded again to 4:3: the 16:9 original is a candidate")
    func paddedCopyOfAFilmWithItsOwnBars() {
        // 640x480 copy; the original 640x360 (16:9) sits at y 60 and holds 640x268 of content.
        let tight = CropRect(x: 0, y: 106, width: 640, height: 268)
        let rects = CropCandidates.rects(tight: tight, width: 640, height: 480)
        // 4:3 around the content is the whole copy, hashed anyway; 1.85:1 is within 2% of the
        // 16:9 box on every edge; 2.39:1 is the content's own shape.
        #expect(rects == [tight, CropRect(x: 0, y: 60, width: 640, height: 360)], "\(rects)")
    }

    @Test("4:3 content in a 2.39:1 picture: the wider shapes grow sideways, centred on the content")
    func pillarboxGrowsSideways() {
        let tight = CropRect(x: 283, y: 0, width: 714, height: 536)
        let rects = CropCandidates.rects(tight: tight, width: 1280, height: 536)
        // 16:9 centred on the content; 1.85:1 nearly the same box; 2.39:1 the whole picture.
        #expect(rects == [tight, CropRect(x: 164, y: 0, width: 953, height: 536)], "\(rects)")
    }

    @Test("a windowboxed copy: the input's own shape around the content is a candidate")
    func inputsOwnShape() {
        // A 2.39:1 film inside a 16:9 original, shrunk to half size in the middle of a 16:9 copy.
        let tight = CropRect(x: 320, y: 253, width: 640, height: 268)
        let rects = CropCandidates.rects(tight: tight, width: 1280, height: 720)
        #expect(rects.contains(CropRect(x: 320, y: 207, width: 640, height: 360)), "\(rects)")
        #expect(rects.contains(CropRect(x: 320, y: 147, width: 640, height: 480)), "4:3: \(rects)")
    }

    @Test("a box that would overhang the picture by more than the tolerance is left out; a small overhang is moved inside")
    func overhang() {
        // Content off centre, near the top: a 16:9 box around it would start above the picture.
        let nearTop = CropRect(x: 0, y: 4, width: 640, height: 268)
        let rects = CropCandidates.rects(tight: nearTop, width: 640, height: 480)
        #expect(!rects.contains { $0.height == 360 }, "\(rects)")
        for rect in rects {
            #expect(rect.x >= 0 && rect.y >= 0 && rect.x + rect.width <= 640 && rect.y + rect.height <= 480, "\(rect)")
        }
        // Three rows off: within 2% of 480, so the 16:9 box is kept, moved to the top edge.
        let slightlyHigh = CropRect(x: 0, y: 43, width: 640, height: 268)
        #expect(CropCandidates.rects(tight: slightlyHigh, width: 640, height: 480)
            .contains(CropRect(x: 0, y: 0, width: 640, height: 360)))
    }

    @Test("content already of a standard shape gets no box of nearly the same shape")
    func sameShape() {
        let tight = CropRect(x: 0, y: 60, width: 640, height: 360)
        let rects = CropCandidates.rects(tight: tight, width: 640, height: 480)
        #expect(rects.first == tight)
        #expect(!rects.dropFirst().contains { abs(Double($0.width) / Double($0.height) - 16.0 / 9.0) < 0.05 }, "\(rects)")
    }

    @Test("a square original with bars of its own, letterboxed into a 4:5 portrait: the square is a candidate")
    func squareWithItsOwnBars() {
        // 1080x1350 copy; the 1080x1080 original sits at y 135 with its content 608 wide.
        let tight = CropRect(x: 236, y: 138, width: 608, height: 1072)
        let rects = CropCandidates.rects(tight: tight, width: 1080, height: 1350)
        #expect(rects.contains(CropRect(x: 4, y: 138, width: 1072, height: 1072)), "\(rects)")
        // The content is nearly 9:16 itself: no 9:16 box beside the tight crop.
        #expect(!rects.dropFirst().contains { abs(Double($0.width) / Double($0.height) - 9.0 / 16.0) < 0.05 }, "\(rects)")
    }
}
