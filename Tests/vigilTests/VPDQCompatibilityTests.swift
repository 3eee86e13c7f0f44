import Foundation
import Testing
import VigilHash
import VigilTestSupport

/// `vigil hash` on videos against Meta's vPDQ output.
///
/// Hashing every frame of these clips is the heaviest work in the suite, and the test build is not
/// optimised: the tests run one at a time, share one full decode of the reference clip, and give
/// the binary room.
@Suite("vigil hash: vPDQ compatibility", .serialized)
struct VPDQCompatibilityTests {
    /// `vigil hash --every-frame` of the reference clip, run once for the tests that need it.
    static let referenceClip = Fixtures.path("vpdq/test-padded-dimensions.mp4")
    private static let everyFrameRun = Task { try await VigilBinary.run(["hash", "--every-frame", referenceClip], timeout: 600) }

    struct VPDQLine: Equatable {
        var frame: Int
        var quality: Int
        var hash: PDQHash
        var timestamp: String

        init(_ line: Substring) throws {
            let fields = line.split(separator: ",")
            guard fields.count == 4, let frame = Int(fields[0]), let quality = Int(fields[1]) else {
                throw SubprocessError(description: "not a vPDQ line: \(line)")
            }
            self.frame = frame
            self.quality = quality
            self.hash = try PDQHash(hex: fields[2])
            self.timestamp = String(fields[3])
        }
    }

    static func lines(_ text: String) throws -> [VPDQLine] {
        try text.split(separator: "\n").map(VPDQLine.init)
    }

    @Test("--every-frame reproduces vPDQ line for line (150 of 150)")
    func everyFrameIsLineIdentical() async throws {
        let result = try await Self.everyFrameRun.value
        #expect(result.status == 0, "\(result.stderrText)")
        let expected = try String(contentsOfFile: Fixtures.path("vpdq/test-padded-dimensions.txt"), encoding: .utf8)
        let ours = result.stdoutText.split(separator: "\n")
        let reference = expected.split(separator: "\n")
        #expect(reference.count == 150)
        #expect(ours.count == reference.count)
        let identical = zip(ours, reference).filter { $0 == $1 }.count
        #expect(identical == 150, "\(identical) of \(reference.count) lines identical")
    }

    @Test("a second clip agrees within the matching threshold on every frame of quality >= 50")
    func doorknobAgreesWithinTolerance() async throws {
        // The reference file for this clip came from a different decode path; the data's README
        // says clear frames agree within a few bits and dark fade-out frames differ more.
        let result = try await VigilBinary.run(["hash", "--every-frame", Fixtures.path("vpdq/doorknob-hd-no-bar.mp4")], timeout: 600)
        #expect(result.status == 0, "\(result.stderrText)")
        let ours = try Self.lines(result.stdoutText)
        let reference = try Self.lines(String(contentsOfFile: Fixtures.path("vpdq/doorknob-hd-no-bar.txt"), encoding: .utf8))
        try #require(ours.count == reference.count)
        var clearDistances: [Int] = []
        for (mine, theirs) in zip(ours, reference) {
            #expect(mine.frame == theirs.frame)
            #expect(mine.timestamp == theirs.timestamp)
            #expect(abs(mine.quality - theirs.quality) <= 1, "frame \(mine.frame)")
            if theirs.quality >= 50 {
                let distance = mine.hash.distance(to: theirs.hash)
                #expect(distance <= 31, "frame \(mine.frame): \(distance) bits")
                if theirs.quality == 100 { clearDistances.append(distance) }
            }
        }
        let sorted = clearDistances.sorted()
        #expect(!sorted.isEmpty)
        #expect(sorted[sorted.count / 2] <= 4, "median distance on quality-100 frames: \(sorted[sorted.count / 2])")
    }

    @Test("key-frame sampling gives exactly the key frames' lines of full decoding")
    func keyframesAreASubsetOfEveryFrame() async throws {
        let clip = Self.referenceClip
        let all = try await Self.lines(Self.everyFrameRun.value.stdoutText)
        let keyframes = try await Self.lines(VigilBinary.run(["hash", "--keyframes", clip]).stdoutText)
        let probe = try await runProcess("ffprobe", ["-v", "error", "-select_streams", "v", "-skip_frame", "nokey",
                                               "-show_entries", "frame=pts_time", "-of", "csv=p=0", clip])
        let keyTimes = probe.stdoutText.split(separator: "\n").compactMap { $0.split(separator: ",").first.flatMap { Double($0) } }
        #expect(!keyframes.isEmpty)
        #expect(keyframes.count == keyTimes.count)
        for line in keyframes {
            #expect(all.contains(line), "key frame \(line.frame) differs from full decoding")
        }
    }

    @Test("--seconds-per-hash samples by presentation time")
    func intervalSamplingFollowsTime() async throws {
        let result = try await VigilBinary.run(["hash", "--seconds-per-hash", "1", Fixtures.path("vpdq/test-padded-dimensions.mp4")])
        let lines = try Self.lines(result.stdoutText)
        #expect(lines.map(\.timestamp) == ["0.000", "1.000", "2.000", "3.000", "4.000"])
        #expect(lines.map(\.frame) == [0, 30, 60, 90, 120])
    }

    @Test("output order and content do not depend on the number of hashing jobs")
    func parallelHashingKeepsOrder() async throws {
        // A small clip (480x270, 300 frames): ordering is what is tested, not the hashes.
        let clip = Fixtures.root.appendingPathComponent("Samples/game-of-life.mp4").path
        let serial = try await VigilBinary.run(["hash", "--every-frame", "--jobs", "1", clip], timeout: 600).stdoutText
        let parallel = try await VigilBinary.run(["hash", "--every-frame", "--jobs", "8", clip], timeout: 600).stdoutText
        #expect(serial.split(separator: "\n").count == 300)
        #expect(serial == parallel)
    }
}
