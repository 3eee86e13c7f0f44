import Testing
import VigilTestSupport
@testable import VigilMedia

/// Picture-in-picture detection on generated pictures: a textured inset over a noisy, moving-looking
/// background, as a re-upload would embed a known clip.
@Suite("Inset detection")
struct InsetDetectorTests {
    static let width = 640
    static let height = 360

    /// A smooth diagonal gradient with per-pixel noise, optionally with an inset.
    static func picture(inset: CropRect?, seed: UInt64 = 7, noise: Int = 24) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let offset = (y * width + x) * 3
                if let inset, (inset.x..<inset.x + inset.width).contains(x), (inset.y..<inset.y + inset.height).contains(y) {
                    // A dark scene with bright discs, crossed by a band as bright as the background
                    // (where the inset's sides show no edge at all).
                    let u = Double(x - inset.x) / Double(inset.width), v = Double(y - inset.y) / Double(inset.height)
                    let disc = [(0.3, 0.4, 0.15), (0.7, 0.6, 0.2)].contains { (u - $0.0) * (u - $0.0) + (v - $0.1) * (v - $0.1) < $0.2 * $0.2 }
                    let band = (0.45..<0.6).contains(v)
                    let value: UInt8 = band ? 110 : disc ? 230 : 25
                    pixels[offset] = value
                    pixels[offset + 1] = value
                    pixels[offset + 2] = disc ? 120 : value
                } else {
                    let base = 60 + (x + y) * 100 / (width + height)
                    for channel in 0..<3 {
                        let jitter = Int(rng.next() % UInt64(2 * noise + 1)) - noise
                        pixels[offset + channel] = UInt8(clamping: base + jitter + channel * 10)
                    }
                }
            }
        }
        return pixels
    }

    @Test("An inset is found to the pixel", arguments: [
        CropRect(x: 294, y: 166, width: 320, height: 180),  // bottom right, 4% margins, as the quality corpus makes it
        CropRect(x: 26, y: 14, width: 320, height: 180),    // top left
        CropRect(x: 160, y: 90, width: 320, height: 180),   // centred
        CropRect(x: 101, y: 61, width: 203, height: 121),   // about 30%, sides off the grid of cells
    ])
    func findsInset(_ truth: CropRect) throws {
        let pixels = Self.picture(inset: truth)
        let found = try #require(InsetDetector.insetRect(of: rgb(pixels, width: Self.width, height: Self.height)))
        #expect(found == truth)
        let onLuma = try #require(InsetDetector.insetRect(of: luma(pixels, width: Self.width, height: Self.height)))
        #expect(onLuma == truth, "the same inset on the luma plane")
    }

    @Test("No inset: noise, a split screen, a strip along one side, an inset touching the frame's edge")
    func findsNothing() {
        #expect(InsetDetector.insetRect(of: rgb(Self.picture(inset: nil), width: Self.width, height: Self.height)) == nil)
        // Two halves: one long straight edge, but nothing closes a rectangle.
        let split = Self.picture(inset: CropRect(x: 320, y: 0, width: 320, height: 360))
        #expect(InsetDetector.insetRect(of: rgb(split, width: Self.width, height: Self.height)) == nil)
        let strip = Self.picture(inset: CropRect(x: 0, y: 300, width: 640, height: 60))
        #expect(InsetDetector.insetRect(of: rgb(strip, width: Self.width, height: Self.height)) == nil)
        let corner = Self.picture(inset: CropRect(x: 320, y: 180, width: 320, height: 180))
        #expect(InsetDetector.insetRect(of: rgb(corner, width: Self.width, height: Self.height)) == nil)
        for pixels in [Self.picture(inset: nil), split, strip, corner] {
            #expect(InsetDetector.insetRect(of: luma(pixels, width: Self.width, height: Self.height)) == nil)
        }
        #expect(InsetDetector.insetRect(of: rgb([UInt8](repeating: 0, count: 48 * 48 * 3), width: 48, height: 48)) == nil)
    }
}
