import ArgumentParser
import Foundation
import VigilMatch

/// `vigil bank check`: validates hash lists and reports what they hold.
struct BankCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate hash lists: counts, duplicates, low-quality entries, load and index cost.",
        discussion: """
            Each PATH (a file or a folder) is checked as one bank. An invalid line is reported as \
            file:line: problem and makes the bank invalid (exit status 2); with --skip-invalid every \
            invalid line is listed and the rest is still checked.
            """
    )

    @Argument(help: "Hash list files or folders.")
    var paths: [String]

    @Flag(help: "List every invalid line instead of stopping at the first.")
    var skipInvalid = false

    @Option(help: "The matching threshold the index is sized for.")
    var threshold = 31

    @Flag(help: "Print one JSON object per bank.")
    var json = false

    func run() async throws {
        let output = LineWriter(FileHandle.standardOutput)
        let errors = LineWriter(FileHandle.standardError)
        var invalid = false
        for path in paths {
            let name = BankOptions.name(of: path)
            let loadStart = ContinuousClock.now
            let result: BankLoadResult
            do {
                result = try BankLoader.load(name: name, paths: [path], skipInvalid: skipInvalid)
            } catch {
                invalid = true
                errors.write("vigil: \(error)")
                errors.flush()
                continue
            }
            let loadTime = ContinuousClock.now - loadStart
            let indexStart = ContinuousClock.now
            let matcher = BankMatcher(bank: result.bank, threshold: threshold)
            let indexTime = ContinuousClock.now - indexStart
            for issue in result.issues {
                errors.write("vigil: \(issue)")
            }
            if !result.issues.isEmpty { invalid = true }
            let report = BankReport(path: path, matcher: matcher, issues: result.issues.count,
                                    loadSeconds: loadTime.seconds, indexSeconds: indexTime.seconds)
            if json {
                output.write(report.json)
            } else {
                report.textLines.forEach(output.write)
            }
            output.flush()
            errors.flush()
        }
        if invalid { throw ExitCode(2) }
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
