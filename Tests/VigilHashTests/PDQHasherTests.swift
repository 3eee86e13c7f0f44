import Foundation
import Testing
import VigilHash

@Suite("PDQHasher behaviour")
struct PDQHasherTests {
    /// A smooth, asymmetric test picture.
    static func picture(width: Int, height: Int) -> [UInt8] {
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let offset = (y * width + x) * 3
                rgb[offset] = UInt8((x * 255) / max(width - 1, 1))
                rgb[offset + 1] = UInt8((y * y * 255) / max((height - 1) * (height - 1), 1))
                rgb[offset + 2] = UInt8(127.5 + 127.5 * sin(Double(x) * 0.05) * cos(Double(y) * 0.03))
            }
        }
        return rgb
    }

    /// The picture rotated 90° counter-clockwise (the reference's "rot90").
    static func rotate90(_ rgb: [UInt8], width: Int, height: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rgb.count)
        for y in 0..<height {
            for x in 0..<width {
                let (nx, ny) = (y, width - 1 - x)
                for c in 0..<3 { out[(ny * height + nx) * 3 + c] = rgb[(y * width + x) * 3 + c] }
            }
        }
        return out
    }

    @Test("images under 5 pixels on a side get the zero hash and quality 0", arguments: [(1, 1), (4, 100), (100, 4)])
    func tooSmall(_ size: (Int, Int)) {
        let rgb = [UInt8](repeating: 128, count: size.0 * size.1 * 3)
        let result = PDQHasher().hash(rgb: rgb, width: size.0, height: size.1)
        #expect(result.hash == .zero)
        #expect(result.quality == 0)
    }

    @Test("a flat image has quality 0")
    func flatImage() {
        let rgb = [UInt8](repeating: 77, count: 300 * 200 * 3)
        #expect(PDQHasher().hash(rgb: rgb, width: 300, height: 200).quality == 0)
    }

    @Test("reusing a hasher across sizes gives the same result as a fresh one")
    func reuseAcrossSizes() {
        let shared = PDQHasher()
        for (width, height) in [(640, 480), (33, 1000), (64, 64), (1000, 33), (640, 480)] {
            let rgb = Self.picture(width: width, height: height)
            #expect(shared.hash(rgb: rgb, width: width, height: height)
                    == PDQHasher().hash(rgb: rgb, width: width, height: height), "\(width)x\(height)")
        }
    }

    @Test("the rotate90 variant of an image is close to the hash of the rotated image")
    func dihedralMatchesRealRotation() {
        let (width, height) = (320, 320)
        let rgb = Self.picture(width: width, height: height)
        let variants = PDQHasher().dihedralHashes(rgb: rgb, width: width, height: height)
        let rotated = PDQHasher().hash(rgb: Self.rotate90(rgb, width: width, height: height), width: height, height: width)
        let distances = Dihedral.allCases.map { variants[$0].distance(to: rotated.hash) }
        #expect(distances[Dihedral.rotate90.rawValue] <= 16, "\(distances)")
        #expect(distances[Dihedral.rotate90.rawValue] == distances.min())
    }

    @Test("grey input hashes like RGB input with equal channels")
    func greyEqualsNeutralRGB() {
        let (width, height) = (200, 150)
        var grey = [UInt8](repeating: 0, count: width * height)
        for i in grey.indices { grey[i] = UInt8((i * 7 + i / width * 13) % 256) }
        let rgb = grey.flatMap { [$0, $0, $0] }
        let fromGrey = grey.withUnsafeBufferPointer {
            PDQHasher().hash(PixelView(base: $0.baseAddress!, width: width, height: height, layout: .grey8))
        }
        let fromRGB = PDQHasher().hash(rgb: rgb, width: width, height: height)
        // 0.299 + 0.587 + 0.114 is 1 only up to rounding, so allow a few bits either way.
        #expect(fromGrey.hash.distance(to: fromRGB.hash) <= 8)
    }

    @Test("row padding (bytesPerRow) is skipped")
    func rowPadding() {
        let (width, height, padding) = (123, 77, 13)
        let packed = Self.picture(width: width, height: height)
        var padded = [UInt8](repeating: 255, count: (width * 3 + padding) * height)
        for y in 0..<height {
            for x in 0..<(width * 3) { padded[y * (width * 3 + padding) + x] = packed[y * width * 3 + x] }
        }
        let expected = PDQHasher().hash(rgb: packed, width: width, height: height)
        let actual = padded.withUnsafeBufferPointer {
            PDQHasher().hash(PixelView(base: $0.baseAddress!, width: width, height: height, bytesPerRow: width * 3 + padding))
        }
        #expect(actual == expected)
    }

    @Test("float256 signs agree with the hash bits")
    func floatOutput() {
        let rgb = Self.picture(width: 256, height: 256)
        let hasher = PDQHasher()
        let floats = hasher.float256(PixelView(base: rgb.withUnsafeBufferPointer { $0.baseAddress! }, width: 256, height: 256))
        let hash = hasher.hash(rgb: rgb, width: 256, height: 256)
        let median = floats.coefficients.sorted()[127...128]
        for index in 0..<256 where floats.coefficients[index] > median.last! {
            #expect(hash.hash.bit(index))
        }
        #expect(floats.quality == hash.quality)
    }
}
