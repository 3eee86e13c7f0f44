import Testing
import VigilMatch

@Suite("Bank files: CSV with a header row")
struct CSVHeaderFormatTests {
    @Test("id, label, quality and extra columns are read; extra columns become metadata")
    func fullHeader() throws {
        let text = """
            id,hash,label,quality,source,added
            k1,\(TestHashes.a),cat-video,87,partner-a,2024-01-02
            k2,\(TestHashes.b),,,,
            """
        let bank = try parse(text).bank
        #expect(bank.entries.count == 2)
        let first = bank.entries[0]
        #expect(first.hash.hex == TestHashes.a)
        #expect(first.ids == ["k1"])
        #expect(first.label == "cat-video")
        #expect(first.quality == 87)
        #expect(first.metadata == ["source": "partner-a", "added": "2024-01-02"])
        #expect(first.sources == [SourceLocation(file: "known.csv", line: 2)])
        let second = bank.entries[1]
        #expect(second.ids == ["k2"])
        #expect(second.label == nil)
        #expect(second.quality == nil)
        #expect(second.metadata.isEmpty)
        #expect(bank.stats.linesRead == 3)
    }

    @Test("a 'pdq' column is accepted as the hash column, names are case-insensitive")
    func pdqColumn() throws {
        let bank = try parse("Label,PDQ\nbeach,\(TestHashes.c)\n").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.c])
        #expect(bank.entries[0].label == "beach")
    }

    @Test("a header with only the hash column works")
    func hashOnly() throws {
        let bank = try parse("hash\n\(TestHashes.a)\n\(TestHashes.b)\n").bank
        #expect(bank.entries.count == 2)
    }

    @Test("comments and blank lines are allowed before the header and between rows")
    func commentsAround() throws {
        let bank = try parse("# exported list\n\nhash,id\n# first\n\(TestHashes.a),x\n\n\(TestHashes.b),y\n").bank
        #expect(bank.entries.map(\.ids) == [["x"], ["y"]])
        #expect(bank.entries.map { $0.sources[0].line } == [5, 7])
    }

    @Test("quoted fields may hold commas and doubled quotes, and keep their spaces")
    func quotedFields() throws {
        let text = """
            "hash","id","label","note"
            "\(TestHashes.a)",k1,"Smith, John","said ""hi"", left"
            \(TestHashes.b), "k 2" ,"  padded  ",""
            """
        let bank = try parse(text).bank
        #expect(bank.entries[0].label == "Smith, John")
        #expect(bank.entries[0].metadata == ["note": "said \"hi\", left"])
        #expect(bank.entries[1].ids == ["k 2"])
        #expect(bank.entries[1].label == "  padded  ")
        #expect(bank.entries[1].metadata.isEmpty)
    }

    @Test("an unterminated quote is refused: a quoted field must not span lines")
    func unterminatedQuote() {
        let text = "hash,label\n\(TestHashes.a),\"multi\nline\"\n"
        let error = parseError(text)
        #expect(error == BankError(file: "known.csv", line: 2, problem: .unterminatedQuote))
        #expect(error?.description == "known.csv:2: quoted field is not closed on this line (a quoted field must not span lines)")
    }

    @Test("text after a closing quote is refused with its column")
    func textAfterQuote() {
        let error = parseError("hash,label\n\(TestHashes.a),\"ab\"c\n")
        #expect(error == BankError(file: "known.csv", line: 2, problem: .textAfterClosingQuote(column: 70)))
    }

    @Test("a header without a hash or pdq column is refused, listing the columns")
    func missingHashColumn() {
        let error = parseError("id,label\nk1,cat\n")
        #expect(error == BankError(file: "known.csv", line: 1, problem: .missingHashColumn(columns: ["id", "label"])))
        #expect(error?.description == "known.csv:1: header has no 'hash' or 'pdq' column, nor the 'signal_type' and 'signal_str' of an exchange export (columns: id, label)")
    }

    @Test("a row with more or fewer fields than the header is refused")
    func wrongFieldCount() {
        #expect(parseError("hash,id,label\n\(TestHashes.a),k1\n")
            == BankError(file: "known.csv", line: 2, problem: .fieldCount(found: 2, expected: 3)))
        #expect(parseError("hash,id\n\(TestHashes.a),k1,extra\n")?.description
            == "known.csv:2: row has 3 fields, the header has 2")
    }

    @Test("duplicate or conflicting header columns are refused")
    func badHeaders() {
        #expect(parseError("hash,id,ID\n")?.problem == .duplicateColumn("ID"))
        #expect(parseError("hash,pdq\n")?.problem == .conflictingHashColumns)
    }

    @Test("an invalid quality or hash in a row names the line")
    func invalidRowValues() {
        #expect(parseError("hash,quality\n\(TestHashes.a),101\n")?.description
            == "known.csv:2: quality 101 is outside 0...100")
        #expect(parseError("hash,quality\n\(TestHashes.a),high\n")?.problem == .qualityNotInteger("high"))
        #expect(parseError("hash,quality\n\(TestHashes.a),50.5\n")?.problem == .qualityNotInteger("50.5"))
        #expect(parseError("hash,id\n,k1\n") == BankError(file: "known.csv", line: 2, problem: .hashEmpty))
    }
}
