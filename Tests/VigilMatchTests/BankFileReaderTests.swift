import Foundation
import Testing
@testable import VigilMatch
import VigilHash
import VigilTestSupport

/// Reading a file from disk in blocks must give exactly what parsing it whole gives, wherever the
/// block boundaries fall, and still name the right line for every problem.
@Suite("Bank files read in blocks")
struct BankFileReaderTests {
    /// The smallest block the reader accepts: lines then straddle boundaries all the time.
    static let smallBlock = 2 * LineChecks.maximumLineBytes + 1

    static func write(_ bytes: [UInt8]) throws -> String {
        let path = try Fixtures.temporaryDirectory().appendingPathComponent("bank.txt").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func summary(_ parsed: ParsedFile) -> [String] {
        parsed.hashes.indices.map { "\(parsed.lines[$0]):\(parsed.hashes[$0].hex):\(parsed.qualities[$0])" }
            + parsed.issues.map(\.description) + ["lines \(parsed.lineCount)"]
    }

    @Test("thousands of lines across many block boundaries, mixed line shapes and CRLF")
    func boundaries() throws {
        let hashes = TestHashes.random(3_000, seed: 21)
        var text = "# a list\r\n"
        for (number, hash) in hashes.enumerated() {
            switch number % 5 {
            case 0: text += "\(hash.hex)\r\n"
            case 1: text += "\(hash.hex.uppercased())\n"
            case 2: text += "\(hash.hex),\(number % 101)\n"
            case 3: text += "\n"
            default: text += "  \(hash.hex)  \n"
            }
        }
        text += hashes[0].hex  // a last line without its terminator
        let bytes = [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        let path = try Self.write(bytes)
        let whole = try BankFileParser.parse(bytes, file: path, skipInvalid: false)
        let blocks = try BankFileReader.parse(path, skipInvalid: false, blockSize: Self.smallBlock)
        #expect(whole.hashes.count == 2_401)
        #expect(Self.summary(blocks) == Self.summary(whole))
    }

    @Test("an over-long line is named by its number, in the first block or after many")
    func overlongLines() throws {
        var lines = TestHashes.random(400, seed: 5).map(\.hex)
        lines[10] = String(repeating: "a", count: 6_000)   // longer than a line may be
        lines[300] = String(repeating: "b", count: 50_000)  // longer than a whole block
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let path = try Self.write(bytes)
        #expect(throws: BankError(file: path, line: 11, problem: .lineTooLong(limit: LineChecks.maximumLineBytes))) {
            try BankFileReader.parse(path, skipInvalid: false, blockSize: Self.smallBlock)
        }
        let lenient = try BankFileReader.parse(path, skipInvalid: true, blockSize: Self.smallBlock)
        #expect(lenient.issues.map(\.line) == [11, 301])
        #expect(lenient.hashes.count == 398)
        #expect(lenient.lineCount == 400)
        #expect(Self.summary(lenient) == Self.summary(try BankFileParser.parse(bytes, file: path, skipInvalid: true)))
    }

    @Test("UTF-16 is refused from the first block; an empty file holds nothing")
    func edges() throws {
        let utf16 = try Self.write([0xFF, 0xFE] + Array("a".utf8))
        #expect(throws: BankError(file: utf16, line: nil, problem: .utf16(bigEndian: false))) {
            try BankFileReader.parse(utf16, skipInvalid: true)
        }
        let empty = try BankFileReader.parse(try Self.write([]), skipInvalid: false)
        #expect(empty.hashes.isEmpty && empty.lineCount == 0)
    }
}

@Suite("Index storage")
struct IndexStorageTests {
    @Test("entry numbers round-trip in three and four bytes, written in any order", arguments: [3, 4])
    func entryNumbers(width: Int) {
        let count = 5_000
        var numbers = EntryNumbers(count: count, width: width)
        let values = (0..<count).map { UInt32(($0 * 7_919) % (width == 3 ? 1 << 24 : 1 << 31)) }
        numbers.withWriter { write in
            for slot in stride(from: count - 1, through: 0, by: -1) { write(slot, values[slot]) }
        }
        numbers.withReader { read in
            #expect((0..<count).allSatisfy { read($0) == Int(values[$0]) })
        }
    }

    @Test("a hash column gives back the hashes it was given")
    func hashColumn() {
        let hashes = TestHashes.random(100, seed: 2)
        var column = HashColumn(hashes.prefix(40))
        column.append(contentsOf: HashColumn(hashes.dropFirst(40)))
        #expect(Array(column) == hashes)
    }

    @Test("duplicates are found by hash, the first of each kept, whatever their number")
    func duplicates() {
        let distinct = TestHashes.random(50, seed: 9)
        var hashes: [PDQHash] = []
        for round in 0..<4 {
            hashes += distinct.enumerated().filter { $0.offset % (round + 1) == 0 }.map(\.element)
        }
        let found = DuplicateFinder.duplicates(in: HashColumn(hashes))
        var expected: [(Int, Int)] = []
        for (position, hash) in hashes.enumerated() {
            if let keeper = hashes.firstIndex(of: hash), keeper < position {
                expected.append((position, keeper))
            }
        }
        #expect(found.map { [$0.position, $0.keeper] } == expected.map { [$0.0, $0.1] })
    }
}
