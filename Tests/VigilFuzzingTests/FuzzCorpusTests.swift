import Foundation
import Testing
import VigilFuzzing
import VigilTestSupport

/// Every seed of the fuzzing corpus (`Tests/Fixtures/fuzz/TARGET/`), and every input a fuzzing
/// run once crashed on (kept there as a regression), goes through its target in the normal test
/// build: a parser that crashes or breaks its properties on one of them stops the suite.
@Suite("Fuzzing corpus")
struct FuzzCorpusTests {
    static func inputs(_ target: FuzzTarget) throws -> [URL] {
        let folder = Fixtures.directory.appendingPathComponent("fuzz/\(target.rawValue)")
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw SubprocessError(description: "no corpus folder \(folder.path)")
        }
        return walker.compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
    }

    @Test("every seed and kept crash runs through its target", arguments: FuzzTarget.allCases)
    func corpus(_ target: FuzzTarget) throws {
        let inputs = try Self.inputs(target)
        #expect(!inputs.isEmpty, "the \(target.rawValue) corpus has seeds")
        for input in inputs { target.run(try Data(contentsOf: input)) }
    }

    @Test("the targets refuse garbage without crashing", arguments: FuzzTarget.allCases)
    func garbage(_ target: FuzzTarget) {
        var generator = SplitMix64(state: 7)
        for length in [0, 1, 63, 64, 65, 1000] {
            target.run(Data((0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }))
        }
    }
}
