import Foundation
import Testing
import VigilHash
import VigilMatch

@Suite("Bank files: plain hash lists")
struct PlainFormatTests {
    @Test("one hash a line, with comments and blank lines, keeps order and line numbers")
    func plainList() throws {
        let text = "# known hashes\n\n\(TestHashes.a)\n   \n\(TestHashes.b)\n# end\n"
        let result = try parse(text, file: "plain.txt")
        let bank = result.bank
        #expect(bank.name == "plain.txt")
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.b])
        #expect(bank.entries.map(\.sources) == [
            [SourceLocation(file: "plain.txt", line: 3)], [SourceLocation(file: "plain.txt", line: 5)],
        ])
        #expect(bank.entries[0].ids.isEmpty)
        #expect(bank.entries[0].label == nil)
        #expect(bank.entries[0].quality == nil)
        #expect(bank.entries[0].metadata.isEmpty)
        #expect(bank.entries[0].video == nil)
        #expect(bank.videos.isEmpty)
        #expect(bank.stats.filesRead == 1)
        #expect(bank.stats.linesRead == 6)
        #expect(bank.stats.entriesBeforeMerging == 2)
        #expect(bank.stats.entriesAfterMerging == 2)
        #expect(result.issues.isEmpty)
        #expect(bank.entry(for: TestHashes.hash(TestHashes.b))?.sources.first?.line == 5)
    }

    @Test("uppercase hex is accepted and normalised to lowercase")
    func uppercase() throws {
        let bank = try parse(TestHashes.a.uppercased() + "\n").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a])
    }

    @Test("spaces and tabs around a hash are ignored")
    func surroundingBlanks() throws {
        let bank = try parse("  \t\(TestHashes.a) \t\n").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a])
    }

    @Test("CRLF line ends are accepted, with or without a final line end")
    func crlf() throws {
        let bank = try parse("# crlf\r\n\(TestHashes.a)\r\n\r\n\(TestHashes.b)").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.b])
        #expect(bank.entries.map { $0.sources[0].line } == [2, 4])
        #expect(bank.stats.linesRead == 4)
    }

    @Test("a UTF-8 byte order mark at the start is accepted")
    func utf8BOM() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("\(TestHashes.a)\n".utf8)
        let bank = try BankLoader.parse(data: data, file: "bom.txt").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a])
        #expect(bank.entries[0].sources == [SourceLocation(file: "bom.txt", line: 1)])
    }

    @Test("an empty file loads as an empty bank, and the stats say so")
    func emptyFile() throws {
        let bank = try parse("", file: "empty.txt").bank
        #expect(bank.entries.isEmpty)
        #expect(bank.stats.isEmpty)
        #expect(bank.stats.filesRead == 1)
        #expect(bank.stats.linesRead == 0)
        #expect(bank.stats.emptyInputs == ["empty.txt"])
        #expect(bank.stats.description.contains("the bank is empty"))
        #expect(bank.stats.description.contains("no hashes in: empty.txt"))
    }

    @Test("a file of only comments and blank lines is an empty bank too")
    func onlyComments() throws {
        let bank = try parse("# nothing yet\n\n# still nothing\n", file: "todo.txt").bank
        #expect(bank.entries.isEmpty)
        #expect(bank.stats.linesRead == 3)
        #expect(bank.stats.emptyInputs == ["todo.txt"])
    }
}
