import Foundation
import Testing
import VigilMatch

@Suite("All-or-nothing loading and skipInvalid")
struct SkipInvalidTests {
    static let text = """
        hash,id,quality
        \(TestHashes.a),k1,90
        \(TestHashes.b.dropLast()),k2,90
        \(TestHashes.c),k3,300
        \(TestHashes.c),k4,80
        "\(TestHashes.b)",k5,"80
        """

    @Test("by default the first invalid line fails the whole load")
    func allOrNothing() {
        #expect(throws: BankError(file: "known.csv", line: 3, problem: .hashLength(63))) {
            try parse(Self.text)
        }
    }

    @Test("with skipInvalid every invalid line is skipped and reported, the rest loads")
    func skipInvalid() throws {
        let result = try parse(Self.text, skipInvalid: true)
        #expect(result.bank.entries.map(\.ids) == [["k1"], ["k4"]])
        #expect(result.issues == [
            BankIssue(file: "known.csv", line: 3, problem: .hashLength(63)),
            BankIssue(file: "known.csv", line: 4, problem: .qualityOutOfRange(300)),
            BankIssue(file: "known.csv", line: 6, problem: .unterminatedQuote),
        ])
        #expect(result.issues.map(\.description)[1] == "known.csv:4: quality 300 is outside 0...100")
        #expect(result.bank.stats.skippedLines == 3)
        #expect(result.bank.stats.linesRead == 6)
    }

    @Test("with skipInvalid, a bad first line does not decide the format")
    func skippedFirstLine() throws {
        let result = try parse("zzz\n\(TestHashes.a)\n", skipInvalid: true)
        #expect(result.bank.entries.count == 1)
        #expect(result.issues.map(\.line) == [1])
    }

    @Test("problems with a whole file still fail a lenient load")
    func fileLevelProblemsStillThrow() {
        #expect(throws: BankError(file: "known.csv", line: 1, problem: .missingHashColumn(columns: ["id", "label"]))) {
            try parse("id,label\nk1,cat\n", skipInvalid: true)
        }
        #expect(throws: BankError(file: "wide.txt", line: nil, problem: .utf16(bigEndian: false))) {
            try BankLoader.parse(data: Data([0xFF, 0xFE, 0x61, 0x00]), file: "wide.txt", skipInvalid: true)
        }
    }
}
