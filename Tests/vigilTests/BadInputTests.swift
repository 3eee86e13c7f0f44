import Foundation
import Testing
import VigilTestSupport

/// Hostile and broken inputs: each must give one clear line naming the file, never a crash, and the
/// good inputs on the same command line must still be hashed.
@Suite("vigil hash: bad input")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        /// What the error line must mention, lowercased.
        var problem: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing.mp4", problem: "no such file"),
        Case(name: "empty.mp4", problem: "empty"),
        Case(name: "notes.txt", problem: "invalid data"),
        Case(name: "truncated.mp4", problem: "invalid data"),
        Case(name: "audio-only.m4a", problem: "no video stream"),
        Case(name: "one-pixel.png", problem: "too small"),
        Case(name: "bomb-20000x20000.png", problem: "20000x20000"),
    ]

    /// Makes every bad input in `directory` and returns the paths in `cases` order.
    static func makeInputs(in directory: URL) async throws -> [String] {
        func path(_ name: String) -> URL { directory.appendingPathComponent(name) }
        _ = FileManager.default.createFile(atPath: path("empty.mp4").path, contents: Data())
        try Data("these are not pixels\n".utf8).write(to: path("notes.txt"))
        let clip = path("whole.mp4")
        try await SyntheticMedia.clip("testsrc2=size=320x240:rate=25", seconds: 2, to: clip)
        try Data(contentsOf: clip).prefix(2048).write(to: path("truncated.mp4"))
        try await SyntheticMedia.ffmpeg(["-f", "lavfi", "-i", "sine=d=1", path("audio-only.m4a").path])
        try await SyntheticMedia.ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=2x2", "-vf", "scale=1:1", "-pix_fmt", "rgb24",
                                  "-frames:v", "1", path("one-pixel.png").path])
        try SyntheticMedia.pngWithHeader(width: 20000, height: 20000).write(to: path("bomb-20000x20000.png"))
        return cases.map { path($0.name).path }
    }

    @Test("each bad input gets one clear line, exit status 2, and good inputs are still hashed")
    func badInputsAreReportedAndSkipped() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = try await Self.makeInputs(in: directory)
        let good = Fixtures.path("pdq-images/q0291.jpg")
        // Good inputs first, between and last, so a failure can't hide a later success.
        let arguments = ["hash", good] + bad[..<4] + [good] + bad[4...] + [good]
        let result = try await VigilBinary.run(Array(arguments), timeout: 60)

        #expect(result.status == 2)
        let hashed = result.stdoutText.split(separator: "\n")
        #expect(hashed.count == 3)
        #expect(hashed.allSatisfy { $0.hasPrefix("a0fe94f1e5cc1cc8dd855948498dc9243f7ca27336f036d7f212b74bc103c9a7,100,") })

        let errors = result.stderrText.split(separator: "\n").map(String.init)
        #expect(errors.count == Self.cases.count, "\(errors)")
        for (testCase, line) in zip(Self.cases, errors) {
            #expect(line.hasPrefix("vigil: "), "\(line)")
            #expect(line.contains(testCase.name), "\(line) does not name \(testCase.name)")
            #expect(line.lowercased().contains(testCase.problem), "\(line) does not say \(testCase.problem)")
            #expect(!line.contains("Fatal") && !line.contains("crash"))
        }
    }

    @Test("a video cut in half still yields the frames before the cut")
    func halfVideoHashesWhatItCan() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clip = directory.appendingPathComponent("whole.ts")
        try await SyntheticMedia.clip("testsrc2=size=320x240:rate=25", seconds: 4, extraArguments: ["-f", "mpegts"], to: clip)
        let data = try Data(contentsOf: clip)
        let half = directory.appendingPathComponent("half.ts")
        try data.prefix(data.count / 2).write(to: half)
        let result = try await VigilBinary.run(["hash", "--every-frame", half.path], timeout: 60)
        #expect(result.status == 0, "\(result.stderrText)")
        let frames = result.stdoutText.split(separator: "\n").count
        #expect(frames > 10 && frames < 100, "\(frames) frames from half of a 100-frame clip")
    }
}
