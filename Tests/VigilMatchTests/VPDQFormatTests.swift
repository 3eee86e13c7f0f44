import Foundation
import Testing
import VigilTestSupport
import VigilMatch

@Suite("Bank files: vPDQ")
struct VPDQFormatTests {
    @Test("vPDQ lines form one video named after the file; each frame is also an entry")
    func oneVideo() throws {
        let text = """
            0,100,\(TestHashes.a),0.000
            1,45,\(TestHashes.b),0.033
            2,99,\(TestHashes.c),0.067
            """
        let bank = try parse(text, file: "/banks/clip-17.vpdq.txt").bank
        #expect(bank.videos.count == 1)
        let video = try #require(bank.videos.first)
        #expect(video.id == "clip-17.vpdq")
        #expect(video.file == "/banks/clip-17.vpdq.txt")
        #expect(video.frames.map(\.frameNumber) == [0, 1, 2])
        #expect(video.frames.map(\.quality) == [100, 45, 99])
        #expect(video.frames.map(\.timestampSeconds) == [0, 0.033, 0.067])
        #expect(video.frames.map(\.hash.hex) == [TestHashes.a, TestHashes.b, TestHashes.c])
        #expect(bank.entries.count == 3)
        #expect(bank.entries[1].video == VideoFrameRef(videoID: "clip-17.vpdq", frameNumber: 1, timestampSeconds: 0.033))
        #expect(bank.entries[1].quality == 45)
        #expect(bank.stats.videos == 1)
        #expect(bank.stats.videoFrames == 3)
        #expect(bank.stats.lowQualityEntries == 1)
    }

    @Test("Meta's vPDQ output for test-padded-dimensions loads as one 150-frame video")
    func fixture() throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.txt")
        let result = try BankLoader.load(name: "vpdq", paths: [path])
        let bank = result.bank
        #expect(bank.videos.count == 1)
        #expect(bank.videos[0].id == "test-padded-dimensions")
        #expect(bank.videos[0].frames.count == 150)
        #expect(bank.videos[0].frames.last?.frameNumber == 149)
        #expect(bank.videos[0].frames.last?.timestampSeconds == 4.967)
        // Still frames repeat a hash exactly: 150 lines hold 123 distinct hashes.
        #expect(bank.stats.entriesBeforeMerging == 150)
        #expect(bank.entries.count == 123)
        #expect(bank.stats.duplicatesMerged == 27)
        #expect(bank.entries.reduce(0) { $0 + $1.videoFrames.count } == 150)
        // Frames 2 and 3 are identical: one entry, both frames.
        let repeated = try #require(bank.entry(for: bank.videos[0].frames[2].hash))
        #expect(repeated.videoFrames.map(\.frameNumber).prefix(2) == [2, 3])
        #expect(repeated.sources.map(\.line).prefix(2) == [3, 4])
        #expect(result.issues.isEmpty)
    }

    @Test("frame numbers that start over begin a new video; # path comments name them")
    func severalVideos() throws {
        let text = """
            # /clips/first.mp4
            0,100,\(TestHashes.a),0.000
            1,100,\(TestHashes.b),1.000
            \(TestHashes.c),90,/photos/still.jpg
            # /clips/second.mp4
            0,100,\(TestHashes.c),0.000
            """
        let bank = try parse(text, file: "mixed.txt").bank
        #expect(bank.videos.map(\.id) == ["first", "second"])
        #expect(bank.videos.map { $0.frames.count } == [2, 1])
        // The image line and the second video's frame share a hash: one entry, one frame reference.
        let shared = try #require(bank.entry(for: TestHashes.hash(TestHashes.c)))
        #expect(shared.metadata == ["path": "/photos/still.jpg"])
        #expect(shared.videoFrames == [VideoFrameRef(videoID: "second", frameNumber: 0, timestampSeconds: 0)])
        #expect(shared.sources.map(\.line) == [4, 6])
    }

    @Test("concatenated vPDQ files without comments split where frame numbers restart")
    func restartWithoutComments() throws {
        let text = "0,100,\(TestHashes.a),0\n1,100,\(TestHashes.b),1\n0,100,\(TestHashes.c),0\n"
        let bank = try parse(text, file: "cat.txt").bank
        #expect(bank.videos.map(\.id) == ["cat#1", "cat#2"])
    }

    @Test("repeated frame numbers (dihedral variants) and mid-video comments stay in one video")
    func dihedralStaysTogether() throws {
        let text = """
            0,100,\(TestHashes.a),0.000,original
            0,100,\(TestHashes.b),0.000,rotate90
            # scene two
            5,100,\(TestHashes.c),0.167,original
            """
        let bank = try parse(text, file: "dihedral.txt").bank
        #expect(bank.videos.map(\.id) == ["dihedral"])
        #expect(bank.videos[0].frames.map(\.frameNumber) == [0, 0, 5])
        #expect(bank.entries[1].metadata == ["col5": "rotate90"])
    }

    @Test("two files with the same base name get distinct video ids")
    func distinctIDs() throws {
        let line = Array("0,100,\(TestHashes.a),0\n".utf8)
        let result = try BankLoader.load(name: "two", sources: [
            BankSource(file: "a/clip.txt", data: .init(line)),
            BankSource(file: "b/clip.txt", data: .init(line)),
        ])
        #expect(result.bank.videos.map(\.id) == ["clip", "clip#2"])
        #expect(result.bank.entries[0].videoFrames.map(\.videoID) == ["clip", "clip#2"])
    }

    @Test("malformed vPDQ lines are refused precisely")
    func malformed() {
        #expect(parseError("0,100,\(TestHashes.a)\n")?.description
            == "known.csv:1: vPDQ line has 3 fields, expected frameNumber,quality,hash,timestamp")
        #expect(parseError("0,100,\(TestHashes.a),-1\n")?.problem == .timestampInvalid("-1"))
        #expect(parseError("0,100,\(TestHashes.a),soon\n")?.problem == .timestampInvalid("soon"))
        #expect(parseError("0,100,\(TestHashes.a),nan\n")?.problem == .timestampInvalid("nan"))
        #expect(parseError("0,200,\(TestHashes.a),0.5\n")?.problem == .qualityOutOfRange(200))
        #expect(parseError("0,100,\(TestHashes.a.dropLast()),0.5\n")?.problem == .hashLength(63))
    }
}
