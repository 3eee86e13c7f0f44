import Foundation
import Testing
import VigilTestSupport

@Suite("vigil match and vigil bank check")
struct MatchCommandTests {
    static let haystack = Fixtures.path("mih/haystack.txt")

    static func haystackLines() throws -> [String] {
        try String(contentsOfFile: haystack, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("hashes given as arguments: one line per match, exit status 1")
    func argumentsMatch() async throws {
        let first = try #require(try Self.haystackLines().first)
        let result = try await VigilBinary.run(["match", "--bank", Self.haystack, "--threshold", "0", first])
        #expect(result.status == 1)
        #expect(result.stdoutText == "\(first),haystack,\(Self.haystack):1,\(first),0\n")
    }

    @Test("hashes on stdin, with comments, blank lines, uppercase and `vigil hash` CSV lines")
    func stdinQueries() async throws {
        let lines = try Self.haystackLines()
        let input = "# queries\n\n\(lines[0].uppercased())\n\(lines[1]),100,some/file.jpg\n"
        let result = try await runProcess(VigilBinary.path, ["match", "--bank", Self.haystack, "--threshold", "0"],
                                    stdin: Data(input.utf8))
        #expect(result.status == 1)
        let output = result.stdoutText.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(output.map { $0[0] } == [lines[0], lines[1]])
        #expect(output.allSatisfy { $0[4] == "0" })
    }

    @Test("a bad query is reported with its line; the others are still looked up")
    func badQuery() async throws {
        let lines = try Self.haystackLines()
        let input = "\(lines[0])\nxyz\n\(lines[1].dropLast())\n"
        let result = try await runProcess(VigilBinary.path, ["match", "--bank", Self.haystack, "--threshold", "0"],
                                    stdin: Data(input.utf8))
        #expect(result.status == 1)
        #expect(result.stdoutText.split(separator: "\n").count == 1)
        let errors = result.stderrText.split(separator: "\n")
        #expect(errors.count == 2)
        #expect(errors[0].contains("stdin:2") && errors[0].contains("found 3 characters"))
        #expect(errors[1].contains("stdin:3") && errors[1].contains("found 63 characters"))
    }

    @Test("hostile stdin: CRLF, NUL and binary bytes, a megabyte line, no final newline; order kept across blocks")
    func hostileStdin() async throws {
        let lines = try Self.haystackLines()
        var input = Data("\(lines[0])\r\n".utf8)
        input += Data([0x00, 0xFF, 0xFE, 0x0A])
        input += Data(repeating: UInt8(ascii: "a"), count: 3 << 20) + Data("\n".utf8)
        // Enough queries to span several read blocks, then one without its line end.
        for line in lines.prefix(1_300) { input += Data("\(line)\n".utf8) }
        input += Data(lines[1_300].utf8)
        let result = try await runProcess(VigilBinary.path, ["match", "--bank", Self.haystack, "--threshold", "0"], stdin: input)
        #expect(result.status == 1)
        let queries = result.stdoutText.split(separator: "\n").map { String($0.split(separator: ",")[0]) }
        #expect(queries == [lines[0]] + Array(lines.prefix(1_301)))
        let errors = result.stderrText.split(separator: "\n")
        #expect(errors.count == 2)
        #expect(errors.first?.contains("stdin:2: not a PDQ hash") == true)
        #expect(errors.last?.contains("stdin:3: not a PDQ hash") == true && errors.last!.count < 300)
        #expect(result.stderrText.utf8.count < 1_000)
    }

    @Test("no match gives exit status 0 and no output")
    func noMatch() async throws {
        let result = try await VigilBinary.run(["match", "--bank", Self.haystack, String(repeating: "0", count: 64), "--threshold", "10"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    @Test("bank check reports counts and the index")
    func bankCheck() async throws {
        let result = try await VigilBinary.run(["bank", "check", Self.haystack, Fixtures.path("vpdq/test-padded-dimensions.txt")])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("haystack.txt: 1350 distinct hashes from 1350 lines in 1 file(s)"))
        #expect(result.stdoutText.contains("test-padded-dimensions.txt: 123 distinct hashes from 150 lines"))
        #expect(result.stdoutText.contains("duplicates merged: 27"))
        #expect(result.stdoutText.contains("videos: 1 (150 frames)"))
        #expect(result.stdoutText.contains("index: "))
    }

    @Test("bank check refuses an invalid list with file:line, or lists every bad line with --skip-invalid")
    func bankCheckInvalid() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lines = try Self.haystackLines()
        let bank = directory.appendingPathComponent("mixed.txt")
        try Data("\(lines[0])\n\(lines[1].dropLast())\n\(lines[2])\nzz\(lines[3].dropFirst(2))\n".utf8).write(to: bank)

        let strict = try await VigilBinary.run(["bank", "check", bank.path])
        #expect(strict.status == 2)
        #expect(strict.stdout.isEmpty)
        #expect(strict.stderrText.contains("mixed.txt:2: hash has 63 hex digits, expected 64"), "\(strict.stderrText)")

        let lenient = try await VigilBinary.run(["bank", "check", "--skip-invalid", "--json", bank.path])
        #expect(lenient.status == 2)
        let errors = lenient.stderrText.split(separator: "\n")
        #expect(errors.count == 2)
        #expect(errors.last?.contains("mixed.txt:4:") == true)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(lenient.stdoutText.utf8)) as? [String: Any])
        #expect(report["entries"] as? Int == 2)
        #expect(report["invalid_lines"] as? Int == 2)
    }
}
