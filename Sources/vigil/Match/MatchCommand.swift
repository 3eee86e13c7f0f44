import ArgumentParser
import Foundation
import VigilHash
import VigilMatch

/// `vigil match`: looks up PDQ hashes in hash lists.
struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Look up PDQ hashes (arguments, or stdin one per line) in hash lists.",
        discussion: """
            Prints one line per match: query,bank,entry_id,entry_hash,distance (nearest first for \
            each query). A query that is not 64 hex digits gets a line on stderr naming it; the other \
            queries are still looked up. On stdin, blank lines and lines starting with '#' are skipped, \
            and only the first comma-separated field of a line is read, so `vigil hash` output can be \
            piped in.
            Exit status: 0 no match, 1 match found, 2 error (a match wins).

            Example:
              vigil hash --json photo.jpg | ... ;  vigil hash photo.jpg | vigil match --bank known.csv
            """
    )

    @Argument(help: "PDQ hashes (64 hex digits). Without any, hashes are read from stdin.")
    var hashes: [String] = []

    @OptionGroup(title: "Banks")
    var banks: BankOptions

    func run() async throws {
        let output = LineWriter(FileHandle.standardOutput)
        let errors = LineWriter(FileHandle.standardError)
        let matchers = try banks.loadMatchersOrExit(errors: errors)
        var anyMatch = false
        var anyError = false
        func lookUp(_ text: Substring, origin: String) {
            do {
                let query = try PDQHash(hex: text)
                for matcher in matchers {
                    for match in matcher.matches(for: query) {
                        anyMatch = true
                        output.write("\(query.hex),\(match.bank),\(match.entry.reference),\(match.entry.hash.hex),\(match.distance)")
                    }
                }
            } catch {
                anyError = true
                errors.write("vigil: \(origin): not a PDQ hash: \(error)")
            }
        }
        if hashes.isEmpty {
            var lineNumber = 0
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                let field = trimmed.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)[0]
                lookUp(field, origin: "stdin:\(lineNumber)")
            }
        } else {
            for hash in hashes {
                lookUp(Substring(hash), origin: "argument \(hash.debugDescription)")
            }
        }
        output.flush()
        errors.flush()
        if anyMatch { throw ExitCode(1) }
        if anyError { throw ExitCode(2) }
    }
}
