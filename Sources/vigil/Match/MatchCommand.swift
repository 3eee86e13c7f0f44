import ArgumentParser
import Foundation
import VigilHash
import VigilMatch

/// `vigil match`: looks up PDQ hashes in hash lists.
struct MatchCommand: ParsableCommand {
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

    func validate() throws {
        // Allow-lists silence a frame's matches during detection; a query here is one hash, with
        // every entry near it listed.
        if !banks.allowLists.isEmpty {
            throw ValidationError("--allow applies to vigil scan and vigil serve; vigil match lists every entry near each query.")
        }
    }

    func run() throws {
        let output = LineWriter(FileHandle.standardOutput)
        let errors = LineWriter(FileHandle.standardError)
        let matchers = try banks.loadMatchersOrExit(errors: errors)
        var anyMatch = false
        var anyError = false
        /// Looks up a batch of queries in every bank at once and prints the matches in query order.
        func lookUp(_ queries: [(origin: String, hash: Result<PDQHash, PDQHashFormatError>)]) {
            let hashes = queries.compactMap { try? $0.hash.get() }
            let found = matchers.map { $0.matches(for: hashes) }
            var position = 0
            for query in queries {
                switch query.hash {
                case .success(let hash):
                    for matches in found {
                        for match in matches[position] {
                            anyMatch = true
                            output.write("\(hash.hex),\(match.bank),\(match.entry.reference),\(match.entry.hash.hex),\(match.distance)")
                        }
                    }
                    position += 1
                case .failure(let error):
                    anyError = true
                    errors.write("vigil: \(query.origin): not a PDQ hash: \(error)")
                }
            }
            output.flush()
            errors.flush()
        }
        if hashes.isEmpty {
            var reader = QueryReader(descriptor: STDIN_FILENO)
            do {
                while let batch = try reader.nextBatch() {
                    lookUp(batch.map { ("stdin:\($0.line)", $0.hash) })
                }
            } catch {
                errors.write("vigil: stdin: \(error)")
                anyError = true
            }
        } else {
            lookUp(hashes.map { text in
                ("argument \(text.debugDescription)", Result { () throws(PDQHashFormatError) in try PDQHash(hex: text) })
            })
        }
        output.flush()
        errors.flush()
        if anyMatch { throw ExitCode(1) }
        if anyError { throw ExitCode(2) }
    }
}
