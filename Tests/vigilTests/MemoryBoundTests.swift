import Foundation
import Testing
import VigilTestSupport

@Suite("vigil hash: bounded memory")
struct MemoryBoundTests {
    @Test("hashing every frame of a 1-hour video needs no more memory than a 1-minute one",
          .timeLimit(.minutes(5)))
    func memoryDoesNotGrowWithLength() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Small frames at a low rate keep the clip cheap to make (and to hash in the unoptimised
        // test build) while it still holds 7,200 frames: if anything buffered per frame, an hour
        // would show it.
        let source = "testsrc2=size=160x120:rate=2"
        let short = directory.appendingPathComponent("one-minute.mp4")
        let long = directory.appendingPathComponent("one-hour.mp4")
        try await SyntheticMedia.clip(source, seconds: 60, gop: 20, extraArguments: ["-preset", "ultrafast"], to: short)
        try await SyntheticMedia.clip(source, seconds: 3600, gop: 20, extraArguments: ["-preset", "ultrafast"], to: long)

        let shortRun = try await VigilBinary.run(["hash", "--every-frame", short.path])
        let longRun = try await VigilBinary.run(["hash", "--every-frame", long.path], timeout: 240)
        #expect(shortRun.status == 0 && longRun.status == 0, "\(longRun.stderrText)")
        #expect(longRun.stdoutText.split(separator: "\n").count == 7_200)

        let shortPeak = try #require(shortRun.peakResidentBytes)
        let longPeak = try #require(longRun.peakResidentBytes)
        #expect(longPeak < shortPeak + shortPeak / 4 + 16 << 20,
                "peak RSS \(longPeak >> 20) MiB for 1 h vs \(shortPeak >> 20) MiB for 1 min")
    }
}
