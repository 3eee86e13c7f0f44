import Testing
import VigilTestSupport
import VigilMatch

@Suite("Bank fixtures")
struct FixtureBankTests {
    @Test("the multi-index-hashing haystack loads as 1350 distinct hashes")
    func haystack() throws {
        let result = try BankLoader.load(name: "haystack", paths: [Fixtures.path("mih/haystack.txt")])
        let bank = result.bank
        #expect(bank.entries.count == 1350)
        #expect(bank.stats.linesRead == 1350)
        #expect(bank.stats.duplicatesMerged == 0)
        #expect(bank.entries.first?.hash.hex == "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95")
        #expect(bank.entries.last?.sources == [SourceLocation(file: Fixtures.path("mih/haystack.txt"), line: 1350)])
        #expect(result.issues.isEmpty)
    }

    @Test("haystack and needles together share 50 hashes, merged")
    func haystackAndNeedles() throws {
        let bank = try BankLoader.load(
            name: "both", paths: [Fixtures.path("mih/haystack.txt"), Fixtures.path("mih/needles.txt")]
        ).bank
        #expect(bank.stats.entriesBeforeMerging == 1450)
        #expect(bank.entries.count == 1400)
        #expect(bank.stats.duplicatesMerged == 50)
        #expect(bank.entries.count(where: { $0.sources.count == 2 }) == 50)
    }
}
