import Foundation
import Testing
import VigilHash
import VigilTestSupport

/// One generated test image.
struct RandomImage {
    enum Content: CaseIterable { case noise, flat, horizontalGradient, verticalGradient, diagonalGradient, waves, blocks, extremes }
    var width: Int
    var height: Int
    var content: Content
    var rgb: [UInt8]

    /// Sizes span 1x1 to 2000x2000 with weight on the edges PDQ treats specially: under the
    /// 5-pixel minimum, odd sizes, the 64x64 shortcut, and around filter-window boundaries.
    static func make(_ rng: inout SplitMix64, index: Int) -> RandomImage {
        func dimension() -> Int {
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<12: return Int.random(in: 1...8, using: &rng)
            case 12..<17: return 64
            case 17..<25: return [127, 128, 129, 191, 192, 255, 256, 257][Int.random(in: 0..<8, using: &rng)]
            case 25..<70: return Int.random(in: 9...400, using: &rng)
            case 70..<95: return Int.random(in: 400...1100, using: &rng)
            default: return Int.random(in: 1100...2000, using: &rng)
            }
        }
        var width = dimension()
        var height = dimension()
        if index == 0 { (width, height) = (1, 1) }
        if index == 1 { (width, height) = (2000, 2000) }
        let content = Content.allCases[Int.random(in: 0..<Content.allCases.count, using: &rng)]
        var rgb = [UInt8](repeating: 0, count: width * height * 3)
        let base = (UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng))
        let frequency = Double.random(in: 0.005...0.3, using: &rng)
        let block = Int.random(in: 1...64, using: &rng)
        for y in 0..<height {
            for x in 0..<width {
                let offset = (y * width + x) * 3
                for c in 0..<3 {
                    let value: UInt8
                    switch content {
                    case .noise: value = UInt8(truncatingIfNeeded: rng.next())
                    case .flat: value = c == 0 ? base.0 : (c == 1 ? base.1 : base.2)
                    case .horizontalGradient: value = UInt8(x * 255 / max(width - 1, 1))
                    case .verticalGradient: value = UInt8(y * 255 / max(height - 1, 1))
                    case .diagonalGradient: value = UInt8((x + y + c * 17) * 255 / max(width + height + 32, 1) % 256)
                    case .waves: value = UInt8(127.5 + 127.5 * sin(Double(x) * frequency + Double(c)) * cos(Double(y) * frequency * 0.7))
                    case .blocks: value = ((x / block) + (y / block) + c) % 2 == 0 ? base.0 : 255 &- base.1
                    case .extremes: value = rng.next() & 1 == 0 ? 0 : 255
                    }
                    rgb[offset + c] = value
                }
            }
        }
        return RandomImage(width: width, height: height, content: content, rgb: rgb)
    }
}

@Suite("PDQ against Meta's C++ on random images")
struct PDQPropertyTests {
    static let caseCount = 600

    @Test("0 bits of difference and equal quality on every random image",
          .enabled("Meta's PDQ reference (pdqhash) is not installed") { await ReferenceOracle.isAvailable },
          .timeLimit(.minutes(10)))
    func matchesReferenceOnRandomImages() async throws {
        let python = try #require(await ReferenceOracle.python.value)
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let casesURL = directory.appendingPathComponent("cases.bin")
        _ = FileManager.default.createFile(atPath: casesURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: casesURL)

        var rng = SplitMix64(state: 0x5EED_0F_7161)
        var images: [(width: Int, height: Int, content: RandomImage.Content)] = []
        var ours: [(PDQDihedralResult, PDQResult)] = []
        let hasher = PDQHasher()
        for index in 0..<Self.caseCount {
            let image = RandomImage.make(&rng, index: index)
            var header = Data()
            withUnsafeBytes(of: UInt32(image.width).littleEndian) { header.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt32(image.height).littleEndian) { header.append(contentsOf: $0) }
            try handle.write(contentsOf: header)
            try handle.write(contentsOf: image.rgb)
            images.append((image.width, image.height, image.content))
            ours.append((
                hasher.dihedralHashes(rgb: image.rgb, width: image.width, height: image.height),
                hasher.hash(rgb: image.rgb, width: image.width, height: image.height)))
        }
        try handle.close()

        let oracle = Fixtures.root.appendingPathComponent("Tests/Oracles/pdq_oracle.py").path
        let output = try await runProcess(python, [oracle, casesURL.path], timeout: 540)
        try #require(output.status == 0, "reference oracle failed: \(output.stderrText)")
        let lines = output.stdoutText.split(separator: "\n")
        try #require(lines.count == Self.caseCount)

        var mismatches = 0
        for (index, line) in lines.enumerated() {
            let fields = line.split(separator: ",").map(String.init)
            let (dihedral, single) = ours[index]
            let image = images[index]
            let context = "case \(index): \(image.width)x\(image.height) \(image.content)"
            var bitsOff = 0
            for symmetry in Dihedral.allCases {
                let reference = try PDQHash(hex: fields[symmetry.rawValue])
                bitsOff += reference.distance(to: dihedral[symmetry])
            }
            let singleReference = try PDQHash(hex: fields[9])
            bitsOff += singleReference.distance(to: single.hash)
            let qualityMatches = Int(fields[8]) == dihedral.quality && Int(fields[10]) == single.quality
            if bitsOff != 0 || !qualityMatches {
                mismatches += 1
                Issue.record("\(context): \(bitsOff) bits differ, quality ours \(dihedral.quality)/\(single.quality) reference \(fields[8])/\(fields[10])")
            }
        }
        #expect(mismatches == 0)
    }
}
