import Foundation
import Testing
import VigilTestSupport

/// The exchange ecosystem's hash lists, made by Meta's python-threatexchange CLI itself (from
/// PyPI, in the test virtualenv), read by `vigil bank check` and `vigil scan`.
@Suite("python-threatexchange round trip", .serialized)
struct ThreatExchangeTests {
    static let known = Fixtures.root.appendingPathComponent("Samples/mandelbrot-zoom.mp4").path
    static let unrelated = Fixtures.root.appendingPathComponent("Samples/game-of-life.mp4").path

    /// The CLI from the test virtualenv; its absence fails the test (an untested round trip is no pass).
    static func threatexchange() throws -> String {
        let path = Fixtures.root.appendingPathComponent(".reference-venv/bin/threatexchange").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw SubprocessError(description: "\(path) is missing: run `make reference` (make test does), which installs python-threatexchange")
        }
        return path
    }

    /// The PDQ hashes `vigil hash` prints for `clip` with `arguments`.
    static func hashes(_ clip: String, _ arguments: [String]) async throws -> [String] {
        let output = try await VigilBinary.run(["hash"] + arguments + [clip])
        try #require(output.status == 0, "\(output.stderrText)")
        return output.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            line.split(separator: ",").first { $0.count == 64 }.map(String.init)
        }
    }

    static func scan(_ bank: String, _ clip: String) async throws -> [String: Any] {
        let output = try await VigilBinary.run(["scan", "--bank", bank, "--json", clip])
        let verdict = output.stdoutText.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }.first { $0["type"] as? String == "verdict" }
        return try #require(verdict, "no verdict: \(output.stdoutText) \(output.stderrText)")
    }

    @Test("local-file collaboration → threatexchange fetch → dataset -P --csv → vigil bank check and vigil scan; NEGATIVE_CLASS silences",
          .timeLimit(.minutes(5)))
    func roundTrip() async throws {
        let tx = try Self.threatexchange()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The CLI keeps its state in ~/.threatexchange: a home of the test's own.
        let environment = ProcessInfo.processInfo.environment.merging(["HOME": directory.path]) { $1 }

        // What a collaboration shares of the known clip: one hash a second, from a re-encoded
        // copy (what another platform saw), so the original matches it closely, not exactly.
        let copy = directory.appendingPathComponent("shared-copy.mp4").path
        let encode = try await runProcess("/usr/bin/ffmpeg", [
            "-nostdin", "-v", "error", "-i", Self.known, "-vf", "scale=iw*3/4:-2", "-c:v", "libx264", "-crf", "26", "-an", copy,
        ], timeout: 120)
        try #require(encode.status == 0, "\(encode.stderrText)")
        let shared = try await Self.hashes(copy, ["--seconds-per-hash", "1"])
        try #require(shared.count >= 5)
        let fileMD5 = try await runProcess("/usr/bin/md5sum", [Self.unrelated]).stdoutText.split(separator: " ").first.map(String.init) ?? ""
        let signals = directory.appendingPathComponent("signals.txt")
        let lines = shared.map { "pdq \($0)" } + ["video_md5 \(fileMD5)", "raw_text a phrase the exchange shares"]
        try (lines.joined(separator: "\n") + "\n").write(to: signals, atomically: true, encoding: .utf8)

        for step in [
            ["config", "collab", "edit", "local_file", "--create", "--filename", signals.path, "partner-list"],
            ["fetch"],
        ] {
            let run = try await runProcess(tx, step, environment: environment, timeout: 180)
            try #require(run.status == 0, "threatexchange \(step.joined(separator: " ")): \(run.stderrText)")
        }
        let dataset = try await runProcess(tx, ["dataset", "-P", "--csv"], environment: environment, timeout: 180)
        try #require(dataset.status == 0, "\(dataset.stderrText)")
        let export = directory.appendingPathComponent("export.csv")
        try dataset.stdout.write(to: export)
        #expect(dataset.stdoutText.hasPrefix("signal_type,signal_str,collab,category,tags"))

        // The export loads: its PDQ rows as hash entries, the video_md5 row as a file digest,
        // the text signal counted and skipped.
        let check = try await VigilBinary.run(["bank", "check", export.path])
        #expect(check.status == 0, "\(check.stdoutText) \(check.stderrText)")
        #expect(check.stdoutText.contains(": \(Set(shared).count) distinct hashes"), "\(check.stdoutText)")
        #expect(check.stdoutText.contains("file MD5s (exact copies): 1"), "\(check.stdoutText)")
        #expect(check.stdoutText.contains("exchange signals of other types skipped: raw_text 1"), "\(check.stdoutText)")

        // The known clip matches the shared hashes; the unrelated clip matches only by its MD5.
        let knownVerdict = try await Self.scan(export.path, Self.known)
        #expect(knownVerdict["matched"] as? Bool == true)
        #expect((knownVerdict["file_matches"] as? [Any])?.isEmpty == true)
        let unrelatedVerdict = try await Self.scan(export.path, Self.unrelated)
        #expect(unrelatedVerdict["matched"] as? Bool == true)
        #expect(unrelatedVerdict["frames_matched"] as? Int == 0)
        let fileMatch = (unrelatedVerdict["file_matches"] as? [[String: Any]])?.first
        #expect(fileMatch?["md5"] as? String == fileMD5)
        #expect(fileMatch?["label"] as? String == "partner-list")

        // Rows of category NEGATIVE_CLASS, as StopNCII and ThreatExchange collaborations export
        // known-benign signals (those exchanges are reached over the network only, so the rows are
        // written here in the export's own columns): every picture of the original clip. The
        // clip is then nearer to known-benign entries than to known ones, and raises nothing.
        let benign = try await Self.hashes(Self.known, ["--every-frame"])
        let withBenign = directory.appendingPathComponent("export-with-benign.csv")
        let rows = Set(benign).subtracting(shared).sorted().map { "pdq,\($0),platform-benign,NEGATIVE_CLASS,intro" }
        try (dataset.stdoutText + rows.joined(separator: "\n") + "\n").write(to: withBenign, atomically: true, encoding: .utf8)
        let silenced = try await Self.scan(withBenign.path, Self.known)
        #expect(silenced["matched"] as? Bool == false, "\(silenced)")
        #expect((silenced["suppressed"] as? [String: Int])?["export-with-benign"] ?? 0 > 0, "\(silenced)")
        let text = try await VigilBinary.run(["scan", "--bank", withBenign.path, Self.known])
        #expect(text.stdoutText.contains("silenced by allow-list export-with-benign"), "\(text.stdoutText)")
    }
}
