import Testing
import VigilMatch

@Suite("Bank files: headerless hash,quality lines")
struct HeaderlessCSVTests {
    @Test("vigil hash image output (hash,quality,path) is read, path kept as metadata")
    func imageOutput() throws {
        let text = "\(TestHashes.a),100,/photos/a.jpg\n\(TestHashes.b),42,/photos/b.jpg\n"
        let bank = try parse(text, file: "images.txt").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.b])
        #expect(bank.entries.map(\.quality) == [100, 42])
        #expect(bank.entries.map(\.metadata) == [["path": "/photos/a.jpg"], ["path": "/photos/b.jpg"]])
        #expect(bank.stats.lowQualityEntries == 1)
        #expect(bank.videos.isEmpty)
    }

    @Test("hash,quality alone, and further columns as col4, col5")
    func columnCounts() throws {
        let text = "\(TestHashes.a),90\n\(TestHashes.b),80,x.jpg,rot90,extra\n"
        let bank = try parse(text).bank
        #expect(bank.entries[0].metadata.isEmpty)
        #expect(bank.entries[1].metadata == ["path": "x.jpg", "col4": "rot90", "col5": "extra"])
    }

    @Test("plain hashes and hash,quality lines may be mixed in one file")
    func mixedShapes() throws {
        let bank = try parse("\(TestHashes.a)\n\(TestHashes.b),77,b.jpg\n").bank
        #expect(bank.entries.map(\.quality) == [nil, 77])
    }

    @Test("a bad quality is refused with the value")
    func badQuality() {
        #expect(parseError("\(TestHashes.a),-1,a.jpg\n")?.description == "known.csv:1: quality -1 is outside 0...100")
        #expect(parseError("\(TestHashes.a),,a.jpg\n")?.problem == .qualityNotInteger(""))
    }

    @Test("a line that is neither a hash nor a header names the bad character")
    func junkLine() {
        let error = parseError("\(TestHashes.a)\nhello world\n")
        #expect(error == BankError(file: "known.csv", line: 2, problem: .hashNotHex(position: 1, character: "h")))
        #expect(error?.description == "known.csv:2: hash character 1 (\"h\") is not a hex digit")
    }
}
