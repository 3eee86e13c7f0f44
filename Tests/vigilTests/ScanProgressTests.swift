import Foundation
import Testing
import VigilTestSupport

/// `vigil scan`'s progress line, seen through a pseudo-terminal (`script`), a pipe, and --json.
@Suite("vigil scan progress on a terminal", .serialized)
struct ScanProgressTests {
    static let clips = ["Samples/mandelbrot-zoom.mp4", "Samples/game-of-life.mp4"].map { Fixtures.root.appendingPathComponent($0).path }
    static let bank = Fixtures.root.appendingPathComponent("Samples/banks/known").path
    static let erase = "\r\u{1B}[K"

    /// `arguments` run under a pseudo-terminal (standard input, output and error all on it; `pipe`
    /// sends standard output through cat instead): everything the terminal received, its
    /// line endings back to "\n".
    private static func onTerminal(_ arguments: [String], pipe: Bool = false) async throws -> String {
        let script = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let script else { throw SubprocessError(description: "script (util-linux/bsdutils) is not installed") }
        let command = ([VigilBinary.path] + arguments).map { "'\($0)'" }.joined(separator: " ") + (pipe ? " | cat" : "")
        let result = try await runProcess(script, ["-qec", command, "/dev/null"], timeout: 120)
        // The terminal turns "\n" into "\r\n"; the progress line's own "\r" stay.
        return result.stdoutText.replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test("on a terminal a progress line is drawn and erased; piped or with --json there is none, byte for byte",
          .timeLimit(.minutes(3)))
    func progress() async throws {
        // The sample clips scan faster than the default delay before a line shows; drawing from
        // the first frame makes the test independent of the machine's speed.
        let arguments = ["scan"] + Self.clips + ["--bank", Self.bank, "--progress-delay-milliseconds", "0"]
        let piped = try await VigilBinary.run(arguments)
        #expect(piped.status == 1, "\(piped.stderrText)")
        #expect(piped.stderr.isEmpty, "\(piped.stderrText)")
        #expect(!piped.stdoutText.contains("scanning"))

        let terminal = try await Self.onTerminal(arguments)
        #expect(terminal.contains(Self.erase + "scanning \(Self.clips[0]): "), "\(terminal.debugDescription)")
        #expect(terminal.contains("frames hashed"), "\(terminal.debugDescription)")
        // Every drawn line is erased again: with the progress lines taken out, the terminal shows
        // exactly what a pipe gets.
        let drawn = try NSRegularExpression(pattern: "\r\u{1B}\\[K(scanning [^\r\n]*)?")
        let shown = drawn.stringByReplacingMatches(in: terminal, range: NSRange(terminal.startIndex..., in: terminal), withTemplate: "")
        #expect(shown == piped.stdoutText, "\(shown.debugDescription)")
        #expect(!terminal.hasSuffix("frames hashed"), "the last progress line is erased")

        // Standard output not a terminal (standard error still one): no progress anywhere.
        let stdoutPiped = try await Self.onTerminal(arguments, pipe: true)
        #expect(stdoutPiped == piped.stdoutText, "\(stdoutPiped.debugDescription)")

        // --json on a terminal: the JSON lines and nothing else.
        let json = try await VigilBinary.run(arguments + ["--json"])
        #expect(json.status == 1)
        let jsonTerminal = try await Self.onTerminal(arguments + ["--json"])
        #expect(jsonTerminal == json.stdoutText, "\(jsonTerminal.debugDescription)")
        #expect(!jsonTerminal.contains("\u{1B}"))
    }

    @Test("shell completions: the bash script names the subcommands; zsh and fish scripts are produced", .timeLimit(.minutes(2)))
    func completions() async throws {
        let bash = try await VigilBinary.run(["--generate-completion-script", "bash"])
        #expect(bash.status == 0, "\(bash.stderrText)")
        #expect(bash.stdoutText.contains("complete "), "\(bash.stdoutText.prefix(400))")
        for subcommand in ["hash", "scan", "match", "bank", "serve"] {
            // A completion function per subcommand.
            #expect(bash.stdoutText.contains("_vigil_\(subcommand)()"), "bash completion lacks \(subcommand)")
        }
        for shell in ["zsh", "fish"] {
            let script = try await VigilBinary.run(["--generate-completion-script", shell])
            #expect(script.status == 0 && script.stdoutText.contains("scan"), "\(shell): \(script.stderrText)")
        }
    }
}
