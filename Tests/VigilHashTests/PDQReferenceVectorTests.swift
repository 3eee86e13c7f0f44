import Foundation
import Testing
import VigilHash
import VigilTestSupport

/// One row of `expected-pdq.csv`: Meta's reference output for an image.
struct ReferenceVector: CustomTestStringConvertible, Sendable {
    var file: String
    var width: Int
    var height: Int
    var quality: Int
    /// Original first, then the seven variants in ``Dihedral`` order.
    var hashes: [String]

    var testDescription: String { file }

    static func load() throws -> [ReferenceVector] {
        let text = try String(contentsOfFile: Fixtures.path("pdq-images/expected-pdq.csv"), encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            let fields = line.split(separator: ",").map(String.init)
            return ReferenceVector(
                file: fields[0], width: Int(fields[1])!, height: Int(fields[2])!,
                quality: Int(fields[3])!, hashes: Array(fields[4...11]))
        }
    }
}

@Suite("PDQ against Meta's reference vectors")
struct PDQReferenceVectorTests {
    static let vectors = (try? ReferenceVector.load()) ?? []

    @Test("the fixture table is complete")
    func fixtureTableIsComplete() {
        #expect(Self.vectors.count == 12)
    }

    @Test("hash, quality and all dihedral hashes are bit-identical", arguments: vectors)
    func matchesReference(_ vector: ReferenceVector) async throws {
        let rgb = try await [UInt8](Fixtures.ffmpegRGB(Fixtures.path("pdq-images/\(vector.file)")))
        try #require(rgb.count == vector.width * vector.height * 3)
        let hasher = PDQHasher()

        let single = hasher.hash(rgb: rgb, width: vector.width, height: vector.height)
        #expect(single.hash.hex == vector.hashes[0])
        #expect(single.quality == vector.quality)

        let dihedral = hasher.dihedralHashes(rgb: rgb, width: vector.width, height: vector.height)
        #expect(dihedral.quality == vector.quality)
        for symmetry in Dihedral.allCases {
            #expect(dihedral[symmetry].hex == vector.hashes[symmetry.rawValue], "\(symmetry)")
        }
    }
}
