import ArgumentParser
import Foundation
import VigilMatch

/// The hash lists to match against; shared by `scan` and `match`.
struct BankOptions: ParsableArguments {
    @Option(name: .customLong("bank"), help: ArgumentHelp(
        "A hash list: a file (PDQ hex lines, CSV with a hash column, vPDQ) or a folder of them. Repeat for several banks; each is named after its file or folder.",
        valueName: "PATH"))
    var banks: [String] = []

    @Option(name: .customLong("allow"), help: ArgumentHelp(
        "An allow-list: hashes of known benign pictures (title cards, intros, test patterns). A frame at least as near one of them as to any known entry matches nothing. Repeatable.",
        valueName: "PATH"))
    var allowLists: [String] = []

    @Option(help: "Largest Hamming distance (of 256 bits) that counts as a match.")
    var threshold = 31

    @Option(help: "Frames and queries of lower PDQ quality are not matched (flat frames hash alike).")
    var minQuality = 50

    @Flag(help: "Load banks leniently: skip invalid lines (reported on stderr) instead of refusing the bank.")
    var skipInvalid = false

    func validate() throws {
        if banks.isEmpty {
            throw ValidationError("Give at least one --bank PATH.")
        }
        if !(0...256).contains(threshold) {
            throw ValidationError("--threshold must be between 0 and 256, not \(threshold).")
        }
        if !(0...100).contains(minQuality) {
            throw ValidationError("--min-quality must be between 0 and 100, not \(minQuality).")
        }
    }

    /// Loads and indexes every bank; reports skipped lines on `errors`.
    func loadMatchers(errors: LineWriter) throws(BankError) -> [BankMatcher] {
        let roles = banks.map { ($0, BankRole.match) } + allowLists.map { ($0, BankRole.allow) }
        return try roles.map { path, role throws(BankError) in
            let result = try BankLoader.load(name: Self.name(of: path), paths: [path], skipInvalid: skipInvalid)
            for issue in result.issues {
                errors.write("vigil: skipped \(issue)")
            }
            errors.flush()
            return BankMatcher(bank: result.bank, threshold: threshold, minQuality: minQuality, role: role)
        }
    }

    /// Loads every bank, or reports why not and exits with status 2: nothing can be matched
    /// against a bank that did not load.
    func loadMatchersOrExit(errors: LineWriter) throws(ExitCode) -> [BankMatcher] {
        do {
            return try loadMatchers(errors: errors)
        } catch {
            errors.write("vigil: \(error)")
            errors.flush()
            throw ExitCode(2)
        }
    }

    /// A bank's name: its file or folder name without extension.
    static func name(of path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let base = url.deletingPathExtension().lastPathComponent
        return base.isEmpty ? path : base
    }
}
