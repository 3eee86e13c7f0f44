import Foundation
import Testing
import VigilMatch

@Suite("Bank merging of duplicate hashes")
struct MergeTests {
    @Test("duplicates merge into one entry keeping every id, source and metadata value")
    func mergeWithinFile() throws {
        let text = """
            id,hash,label,quality,source
            k1,\(TestHashes.a),,60,partner-a
            k2,\(TestHashes.b),boat,70,partner-a
            k3,\(TestHashes.a.uppercased()),cat,90,partner-b
            k1,\(TestHashes.a),dog,40,partner-a
            """
        let bank = try parse(text).bank
        #expect(bank.entries.count == 2)
        let merged = bank.entries[0]
        #expect(merged.hash.hex == TestHashes.a)
        #expect(merged.ids == ["k1", "k3"])
        #expect(merged.label == "cat")
        #expect(merged.quality == 90)
        #expect(merged.metadata == ["source": "partner-a | partner-b"])
        #expect(merged.sources.map(\.line) == [2, 4, 5])
        #expect(bank.stats.entriesBeforeMerging == 4)
        #expect(bank.stats.entriesAfterMerging == 2)
        #expect(bank.stats.duplicatesMerged == 2)
    }

    @Test("duplicates across files merge, with sources from both files")
    func mergeAcrossFiles() throws {
        let result = try BankLoader.load(name: "two", sources: [
            BankSource(file: "one.txt", data: Data("\(TestHashes.a)\n\(TestHashes.b)\n".utf8)),
            BankSource(file: "two.csv", data: Data("hash,id\n\(TestHashes.b),x9\n".utf8)),
        ])
        let bank = result.bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.b])
        #expect(bank.entries[1].ids == ["x9"])
        #expect(bank.entries[1].sources == [SourceLocation(file: "one.txt", line: 2), SourceLocation(file: "two.csv", line: 2)])
        #expect(bank.stats.filesRead == 2)
        #expect(bank.stats.duplicatesMerged == 1)
        #expect(bank.stats.description == "2 files, 4 lines, 2 entries (1 duplicates merged), 0 below quality 50, 0 lines skipped")
    }
}
