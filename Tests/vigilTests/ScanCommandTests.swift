import Foundation
import Testing
import VigilTestSupport

/// `vigil scan` end to end: a bank made by `vigil hash` from a sample clip, copies of the clip made
/// by ffmpeg the way re-uploads change a video, and an unrelated clip.
@Suite("vigil scan: end to end", .serialized)
struct ScanCommandTests {
    static let known = Fixtures.root.appendingPathComponent("Samples/mandelbrot-zoom.mp4").path
    static let unrelated = Fixtures.root.appendingPathComponent("Samples/game-of-life.mp4").path

    /// A working folder with the bank (every frame of the known clip, as a vPDQ file).
    static func makeBank() async throws -> (directory: URL, bank: String) {
        let directory = try Fixtures.temporaryDirectory()
        let hashed = try await VigilBinary.run(["hash", "--every-frame", known])
        guard hashed.status == 0 else { throw SubprocessError(description: hashed.stderrText) }
        let bank = directory.appendingPathComponent("known-clip.txt")
        try hashed.stdout.write(to: bank)
        return (directory, bank.path)
    }

    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test("edited copies of a known clip match; an unrelated clip does not", arguments: [
        ("re-encoded at low quality", ["-c:v", "libx264", "-crf", "40", "-g", "30"]),
        ("scaled to half size", ["-vf", "scale=320:-2", "-c:v", "libx264", "-g", "40"]),
        ("letterboxed", ["-vf", "scale=640:270,pad=640:360:0:45:black", "-c:v", "libx264", "-g", "25"]),
        ("shrunk to half size over unrelated footage (picture-in-picture)",
         ["-i", ScanCommandTests.unrelated, "-filter_complex", "[1:v]scale=640:360[bg];[0:v]scale=320:180[fg];[bg][fg]overlay=W-w-26:H-h-14:shortest=1",
          "-c:v", "libx264", "-g", "25"]),
    ])
    func editedCopiesMatch(_ edit: (name: String, arguments: [String])) async throws {
        let (directory, bank) = try await Self.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("copy.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", Self.known] + edit.arguments + ["-an", copy])

        let result = try await VigilBinary.run(["scan", "--json", copy, "--bank", bank])
        #expect(result.status == 1, "\(edit.name): \(result.stderrText)")
        let lines = try Self.jsonLines(result.stdoutText)
        let verdict = try #require(lines.last)
        #expect(verdict["type"] as? String == "verdict")
        #expect(verdict["matched"] as? Bool == true, "\(edit.name): \(verdict)")
        let videos = try #require(verdict["video_matches"] as? [[String: Any]])
        #expect(videos.first?["video"] as? String == "known-clip")
        #expect((videos.first?["query_pct"] as? Double ?? 0) >= 80)
        let matches = lines.dropLast()
        #expect(!matches.isEmpty)
        for match in matches {
            #expect(match["type"] as? String == "match")
            #expect((match["distance"] as? Int ?? 99) <= 31)
            #expect(match["bank"] as? String == "known-clip")
            #expect(match["input"] as? String == copy)
        }
    }

    @Test("a padded copy of an original with bars of its own matches a bank of one hash a second")
    func paddedCopyOfAnOriginalWithBars() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // The original: a 2.39:1 film letterboxed in 16:9, banked as exchanges share video.
        let original = directory.appendingPathComponent("film.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", Self.known, "-vf", "scale=640:268,pad=640:360:0:46:black",
                                         "-c:v", "libx264", "-g", "25", "-an", original])
        let hashed = try await VigilBinary.run(["hash", "--seconds-per-hash", "1", original])
        try #require(hashed.status == 0, "\(hashed.stderrText)")
        let bank = directory.appendingPathComponent("film.txt")
        try hashed.stdout.write(to: bank)
        // The copy: padded again to 4:3 with bars of the same black. The tight crop removes both
        // sets of bars; the 16:9 box around the content is the original's frame.
        let copy = directory.appendingPathComponent("padded.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", original, "-vf", "pad=640:480:0:60:black", "-c:v", "libx264", "-g", "25", "-an", copy])

        let result = try await VigilBinary.run(["scan", "--json", copy, "--bank", bank.path])
        let lines = try Self.jsonLines(result.stdoutText)
        let verdict = try #require(lines.last)
        #expect(verdict["matched"] as? Bool == true, "\(result.stdoutText)\(result.stderrText)")
        #expect((verdict["video_matches"] as? [[String: Any]])?.first?["video"] as? String == "film")
        let crops = lines.dropLast().compactMap { $0["crop"] as? String }
        #expect(crops.contains("640x360+0+60"), "\(crops)")
    }

    @Test("key frames that fall between the samples of a one-hash-a-second bank: focus samples at the bank's times find the copy")
    func focusOnASparseBank() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Fast-moving content (the picture scrolls 1% a frame): half a second from a bank sample
        // is far from it, a frame or two is near.
        let original = directory.appendingPathComponent("moving.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", Self.known, "-vf", "scroll=h=0.01", "-c:v", "libx264", "-g", "25", "-an", original])
        let hashed = try await VigilBinary.run(["hash", "--seconds-per-hash", "1", original])
        try #require(hashed.status == 0, "\(hashed.stderrText)")
        let bank = directory.appendingPathComponent("moving.txt")
        try hashed.stdout.write(to: bank)
        // The copy: 3 s of unrelated footage, then the original in grey, a key frame every 2.48 s.
        // Its key frames at 4.96, 7.44, 9.92 … s show the original at 1.96, 4.44, 6.92 … s: only the
        // first is near a bank sample.
        let copy = directory.appendingPathComponent("copy.mp4").path
        try await SyntheticMedia.ffmpeg([
            "-i", Self.unrelated, "-i", original, "-filter_complex",
            "[0:v]trim=0:3,setpts=PTS-STARTPTS,scale=640:360,setsar=1,fps=25[a];[1:v]setsar=1,fps=25[b];"
                + "[a][b]concat=n=2:v=1:a=0,format=gray,format=yuv420p",
            "-c:v", "libx264", "-g", "62", "-keyint_min", "62", "-sc_threshold", "0", "-an", copy,
        ])

        let result = try await VigilBinary.run(["scan", "--json", copy, "--bank", bank.path])
        let lines = try Self.jsonLines(result.stdoutText)
        let verdict = try #require(lines.last)
        #expect(verdict["matched"] as? Bool == true, "\(result.stdoutText)\(result.stderrText)")
        #expect((verdict["video_matches"] as? [[String: Any]])?.first?["video"] as? String == "moving")
        // More samples than the 7 key frames: the focus samples, one a second after 4.96 s.
        #expect((verdict["frames_hashed"] as? Int ?? 0) > 7, "\(verdict)")
        let times = lines.dropLast().compactMap { $0["pts"] as? Double }
        #expect(times.contains { abs($0 - 5.96) < 0.01 }, "\(times)")
    }

    @Test("a logo over fast-changing footage leaves most frames past the threshold: they match as a run in the bank's order; unrelated footage does not")
    func alignedNearMisses() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = Fixtures.root.appendingPathComponent("Tests/Fixtures/vpdq/test-padded-dimensions.mp4").path
        let hashed = try await VigilBinary.run(["hash", "--seconds-per-hash", "1", original])
        try #require(hashed.status == 0, "\(hashed.stderrText)")
        let bank = directory.appendingPathComponent("original.txt")
        try hashed.stdout.write(to: bank)
        // An opaque box of 12% of the width in the top-right corner, as a channel logo.
        let copy = directory.appendingPathComponent("logo.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", original, "-vf", "drawbox=x=iw*0.84:y=ih*0.04:w=iw*0.12:h=iw*0.12:color=red@1:t=fill",
                                         "-c:v", "libx264", "-preset", "veryfast", "-an", copy])

        let result = try await VigilBinary.run(["scan", "--json", copy, "--bank", bank.path])
        let verdict = try #require(try Self.jsonLines(result.stdoutText).last)
        #expect(verdict["matched"] as? Bool == true, "\(result.stdoutText)\(result.stderrText)")
        let video = try #require((verdict["video_matches"] as? [[String: Any]])?.first)
        // Too few frames within the threshold for the share of samples to match.
        #expect((video["query_pct"] as? Double ?? 100) < 80, "\(video)")
        #expect((video["aligned_frames"] as? Int ?? 0) >= 3, "\(video)")
        #expect(video["matched_at"] is Double, "\(video)")

        let unrelated = try await VigilBinary.run(["scan", "--json", Self.unrelated, "--bank", bank.path])
        #expect(unrelated.status == 0, "\(unrelated.stdoutText)")
        let unrelatedVerdict = try #require(try Self.jsonLines(unrelated.stdoutText).last)
        #expect((unrelatedVerdict["near_videos"] as? [Any])?.isEmpty == true, "\(unrelatedVerdict)")
    }

    @Test("a short copy whose only key frame is black is judged on the next good picture")
    func darkKeyFrame() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hashed = try await VigilBinary.run(["hash", "--seconds-per-hash", "1", Self.known])
        try #require(hashed.status == 0, "\(hashed.stderrText)")
        let bank = directory.appendingPathComponent("known-clip.txt")
        try hashed.stdout.write(to: bank)
        // 2 s fading in from black over 0.4 s, one key frame: the only key frame has quality 0.
        let copy = directory.appendingPathComponent("fade-in.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", Self.known, "-t", "2", "-vf", "fade=in:0:10", "-c:v", "libx264", "-g", "250", "-an", copy])

        let result = try await VigilBinary.run(["scan", "--json", copy, "--bank", bank.path])
        let lines = try Self.jsonLines(result.stdoutText)
        let verdict = try #require(lines.last)
        #expect(verdict["matched"] as? Bool == true, "\(result.stdoutText)\(result.stderrText)")
        let first = try #require(lines.first { $0["type"] as? String == "match" })
        let pts = try #require(first["pts"] as? Double)
        #expect(pts > 0 && pts < 0.5, "the first good picture after the black key frame: \(first)")
    }

    @Test("an unrelated clip gives no match and exit status 0")
    func unrelatedClipDoesNotMatch() async throws {
        let (directory, bank) = try await Self.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await VigilBinary.run(["scan", Self.unrelated, "--bank", bank])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderrText)")
        #expect(result.stdoutText.hasSuffix("no match (6 frames hashed)\n"), "\(result.stdoutText)")
        #expect(!result.stdoutText.contains("MATCH"))
    }

    @Test("text output: a line per matching frame and a verdict; a match wins over another input's error")
    func textOutputAndExitStatus() async throws {
        let (directory, bank) = try await Self.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await VigilBinary.run(["scan", Self.known, directory.appendingPathComponent("missing.mp4").path, "--bank", bank])
        #expect(result.status == 1)
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("MATCH \(Self.known) at ") }.count == 6)
        #expect(lines.last?.hasPrefix("\(Self.known): MATCH (6 of 6 hashed frames matched; video known-clip") == true)
        #expect(result.stderrText.contains("missing.mp4"))
    }

    @Test("--max-duration stops after that much media time")
    func maxDuration() async throws {
        let (directory, bank) = try await Self.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await VigilBinary.run(["scan", "--json", "--max-duration", "5s", Self.known, "--bank", bank])
        let verdict = try #require(try Self.jsonLines(result.stdoutText).last)
        // Key frames every 2 s: 0, 2 and 4 s are within the first 5 s.
        #expect(verdict["frames_hashed"] as? Int == 3)
    }

    @Test("a mirrored copy matches only with --dihedral")
    func mirroredCopyNeedsDihedral() async throws {
        let (directory, bank) = try await Self.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mirrored = directory.appendingPathComponent("mirrored.mp4").path
        try await SyntheticMedia.ffmpeg(["-i", Self.known, "-vf", "hflip", "-c:v", "libx264", "-g", "50", mirrored])
        let plain = try await VigilBinary.run(["scan", mirrored, "--bank", bank])
        #expect(plain.status == 0, "\(plain.stdoutText)")
        let dihedral = try await VigilBinary.run(["scan", "--json", "--dihedral", mirrored, "--bank", bank])
        #expect(dihedral.status == 1)
        let lines = try Self.jsonLines(dihedral.stdoutText)
        #expect(lines.contains { $0["variant"] as? String == "flipy" || $0["variant"] as? String == "flipx" })
    }

    @Test("an invalid bank stops the scan before any input is read, naming file and line")
    func invalidBank() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = directory.appendingPathComponent("broken.txt")
        try Data("e6cf059c4c6696362cc9d6663cd9c263714169d98327399993363d9c3d9cc666\nnot-a-hash\n".utf8).write(to: bank)
        let result = try await VigilBinary.run(["scan", Self.known, "--bank", bank.path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderrText.contains("broken.txt:2:"), "\(result.stderrText)")
    }

    @Test("--recording: a clip served over HTTP gets the verdict of the same file, as a scan job's; a live protocol is refused")
    func recordingOverHTTP() async throws {
        let (directory, bank) = try await Self.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("copy.mp4")
        // An MP4 with its index at the end: read over HTTP only with range requests, as nginx serves.
        try await SyntheticMedia.ffmpeg(["-i", Self.known, "-vf", "scale=320:-2", "-c:v", "libx264", "-g", "48", "-an", copy.path])
        let server = try await NginxFileServer.start(serving: directory, in: directory)
        defer { server.stop() }
        let fromFile = try await VigilBinary.run(["scan", "--json", copy.path, "--bank", bank])
        let overHTTP = try await VigilBinary.run(["scan", "--json", "--recording", server.url("copy.mp4"), "--bank", bank])
        #expect(fromFile.status == 1 && overHTTP.status == 1, "\(overHTTP.stderrText)")
        var fileVerdict = try #require(try Self.jsonLines(fromFile.stdoutText).last)
        var httpVerdict = try #require(try Self.jsonLines(overHTTP.stdoutText).last)
        #expect(httpVerdict.removeValue(forKey: "input") as? String == server.url("copy.mp4"))
        fileVerdict["input"] = nil
        let canonical = { (object: [String: Any]) in
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        #expect(try canonical(httpVerdict) == canonical(fileVerdict))
        let live = try await VigilBinary.run(["scan", "--recording", "rtmp://127.0.0.1:1/live/x", "--bank", bank])
        #expect(live.status == 2)
        #expect(live.stderrText.contains("live protocol"), "\(live.stderrText)")
    }
}
