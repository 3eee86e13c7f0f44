import Foundation
import Testing
import VigilHash
import VigilTestSupport

@Suite("vigil hash: images, options and output formats")
struct HashCommandTests {
    static let expected: [String: [String]] = {
        let text = (try? String(contentsOfFile: Fixtures.path("pdq-images/expected-pdq.csv"), encoding: .utf8)) ?? ""
        var table: [String: [String]] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            table[fields[0]] = fields
        }
        return table
    }()

    @Test("images hash to the reference hash and quality through Vigil's own decoder")
    func imagesMatchReference() async throws {
        let files = Self.expected.keys.sorted()
        try #require(files.count == 12)
        let result = try await VigilBinary.run(["hash"] + files.map { Fixtures.path("pdq-images/\($0)") })
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = result.stdoutText.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(lines.count == files.count)
        for (file, fields) in zip(files, lines) {
            let reference = try #require(Self.expected[file])
            #expect(fields[0] == reference[4], "\(file) hash")
            #expect(fields[1] == reference[3], "\(file) quality")
            #expect(fields[2].hasSuffix(file))
        }
    }

    @Test("--dihedral prints the eight variants in reference order")
    func dihedralVariants() async throws {
        let file = "q0746.jpg"
        let reference = try #require(Self.expected[file])
        let result = try await VigilBinary.run(["hash", "--dihedral", Fixtures.path("pdq-images/\(file)")])
        let lines = result.stdoutText.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(lines.map { $0[0] } == Array(reference[4...11]))
        #expect(lines.map { $0[3] } == Dihedral.allCases.map(\.description))
    }

    @Test("--json prints one parseable object per image and per frame")
    func jsonLines() async throws {
        let result = try await VigilBinary.run(["hash", "--json", Fixtures.path("pdq-images/q0291.jpg"),
                                          Fixtures.path("vpdq/test-padded-dimensions.mp4")])
        #expect(result.status == 0)
        let objects = try result.stdoutText.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        try #require(objects.count >= 2)
        #expect(objects[0]["type"] as? String == "image")
        #expect(objects[0]["hash"] as? String == Self.expected["q0291.jpg"]?[4])
        #expect(objects[0]["quality"] as? Int == 100)
        #expect(objects[1]["type"] as? String == "frame")
        #expect(objects[1]["frame"] as? Int == 0)
        #expect(objects[1]["hash"] as? String == "e6cf059c4c6696362cc9d6663cd9c263714169d98327399993363d9c3d9cc666")
    }

    @Test("contradictory or invalid options are refused with a usage error", arguments: [
        ["--every-frame", "--keyframes"],
        ["--seconds-per-hash", "0"],
        ["--seconds-per-hash", "-1"],
        ["--jobs", "0"],
    ])
    func invalidOptions(_ options: [String]) async throws {
        let result = try await VigilBinary.run(["hash"] + options + [Fixtures.path("pdq-images/q0291.jpg")])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrText.contains("Error"))
    }
}
