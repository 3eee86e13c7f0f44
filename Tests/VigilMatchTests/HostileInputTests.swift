import Foundation
import Testing
import VigilMatch

@Suite("Bank files: hostile and malformed input")
struct HostileInputTests {
    @Test("63 and 65 hex digits are refused with the count", arguments: [63, 65])
    func wrongDigitCount(_ count: Int) {
        let hex = String(repeating: "a", count: count)
        let error = parseError("\(TestHashes.a)\n\(hex)\n")
        #expect(error == BankError(file: "known.csv", line: 2, problem: .hashLength(count)))
        #expect(error?.description == "known.csv:2: hash has \(count) hex digits, expected 64")
    }

    @Test("the 17th line of a CSV names file and line")
    func lineNumberInMessage() {
        var lines = ["hash,id"] + (1...15).map { _ in "\(TestHashes.a),dup" }
        lines.append("\(TestHashes.b.dropLast()),short")
        #expect(parseError(lines.joined(separator: "\n"))?.description
            == "known.csv:17: hash has 63 hex digits, expected 64")
    }

    @Test("a non-hex character is refused with its position")
    func nonHex() {
        var characters = Array(TestHashes.a)
        characters[9] = "z"
        let error = parseError(String(characters) + "\n")
        #expect(error?.problem == .hashNotHex(position: 10, character: "z"))
        // Full-width digits are hex digits to Unicode, not to PDQ.
        let fullWidth = String(TestHashes.a.dropLast()) + "\u{FF11}"
        #expect(parseError(fullWidth)?.problem == .hashNotHex(position: 64, character: "\u{FF11}"))
    }

    @Test("NUL bytes are refused with their column")
    func nulBytes() {
        var bytes = Array("\(TestHashes.a)\n\(TestHashes.b)\n".utf8)
        bytes[65 + 10] = 0
        let error = parseError(Data(bytes))
        #expect(error == BankError(file: "known.csv", line: 2, problem: .nulByte(column: 11)))
        #expect(error?.description.hasPrefix("known.csv:2: line contains a NUL byte at column 11") == true)
    }

    @Test("a 10 MB line is refused as too long, and the next line still gets its number")
    func hugeLine() throws {
        var bytes = Array("\(TestHashes.a)\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        bytes += Array("\n\(TestHashes.b)\n".utf8)
        let error = parseError(Data(bytes))
        #expect(error == BankError(file: "known.csv", line: 2, problem: .lineTooLong(limit: 4096)))
        #expect(error?.description.hasPrefix("known.csv:2: line is too long (more than 4096 bytes)") == true)
        let lenient = try BankLoader.parse(data: Data(bytes), file: "known.csv", skipInvalid: true)
        #expect(lenient.bank.entries.map { $0.sources[0].line } == [1, 3])
        #expect(lenient.issues == [BankIssue(file: "known.csv", line: 2, problem: .lineTooLong(limit: 4096))])
    }

    @Test("a line of exactly 4096 bytes is still read; one more byte is refused")
    func longestLine() throws {
        let row = "\(TestHashes.a)," + String(repeating: "x", count: 4096 - 65)
        #expect(row.utf8.count == 4096)
        let bank = try parse("hash,note\n\(row)\n").bank
        #expect(bank.entries.first?.metadata["note"]?.utf8.count == 4096 - 65)
        #expect(parseError("hash,note\n\(row)x\n")
            == BankError(file: "known.csv", line: 2, problem: .lineTooLong(limit: 4096)))
    }

    @Test("UTF-16 files are refused, saying so", arguments: [[UInt8(0xFF), 0xFE], [0xFE, 0xFF]])
    func utf16(_ mark: [UInt8]) {
        let littleEndian = mark[0] == 0xFF
        var bytes = mark
        for unit in "\(TestHashes.a)\n".utf16 {
            let pair = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            bytes += littleEndian ? pair : pair.reversed()
        }
        let error = parseError(Data(bytes), file: "wide.txt")
        #expect(error == BankError(file: "wide.txt", line: nil, problem: .utf16(bigEndian: !littleEndian)))
        #expect(error?.description.hasPrefix("wide.txt: file is UTF-16") == true)
    }

    @Test("UTF-16 without a byte order mark is caught by its NUL bytes")
    func utf16WithoutMark() {
        let bytes = "\(TestHashes.a)\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(parseError(Data(bytes))?.problem == .nulByte(column: 2))
    }

    @Test("invalid UTF-8 is refused with its column")
    func invalidUTF8() {
        let bytes = Array("hash,label\n\(TestHashes.a),caf".utf8) + [0xE9] + Array("\n".utf8)
        #expect(parseError(Data(bytes)) == BankError(file: "known.csv", line: 2, problem: .invalidUTF8(column: 69)))
    }

    @Test("valid multi-byte UTF-8 in labels is kept")
    func multibyteLabel() throws {
        let bank = try parse("hash,label\n\(TestHashes.a),café ☕\n").bank
        #expect(bank.entries[0].label == "café ☕")
    }

    @Test("missing files and non-files are refused")
    func missingPath() throws {
        #expect(throws: BankError(file: "/nonexistent/bank.csv", line: nil, problem: .notFound)) {
            try BankLoader.load(name: "x", paths: ["/nonexistent/bank.csv"])
        }
        #expect(throws: BankError(file: "/dev/null", line: nil, problem: .notRegularFile)) {
            try BankLoader.load(name: "x", paths: ["/dev/null"])
        }
    }
}
