import Foundation
import Testing
import VigilTestSupport
import VigilMatch

@Suite("Bank folders")
struct FolderLoadingTests {
    @Test("a folder loads every visible regular file in name order, whatever each file's format")
    func mixedFolder() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        try write("a-plain.txt", "\(TestHashes.a)\n")
        try write("b-list.csv", "hash,id,label\n\(TestHashes.b),k2,beach\n")
        try write("c-images.txt", "\(TestHashes.c),88,/photos/c.jpg\n")
        try write("d-clip.vpdq", "0,100,\(TestHashes.a),0.000\n1,100,\(TestHashes.c),0.033\n")
        try write("e-empty.txt", "")
        try write(".hidden.txt", "not a hash list at all\n")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nested"), withIntermediateDirectories: false)
        try write("nested/ignored.txt", "also not a hash list\n")

        let result = try BankLoader.load(name: "mixed", paths: [folder.path])
        let bank = result.bank
        let base = folder.path + "/"
        #expect(bank.name == "mixed")
        #expect(bank.stats.filesRead == 5)
        #expect(bank.stats.linesRead == 6)
        #expect(bank.stats.entriesBeforeMerging == 5)
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.b, TestHashes.c])
        #expect(bank.stats.duplicatesMerged == 2)
        #expect(bank.stats.emptyInputs == [base + "e-empty.txt"])
        #expect(bank.videos.map(\.id) == ["d-clip"])
        #expect(bank.entries[0].sources == [
            SourceLocation(file: base + "a-plain.txt", line: 1), SourceLocation(file: base + "d-clip.vpdq", line: 1),
        ])
        #expect(bank.entries[1].ids == ["k2"])
        #expect(bank.entries[1].label == "beach")
        #expect(bank.entries[2].quality == 100)
        #expect(bank.entries[2].metadata == ["path": "/photos/c.jpg"])
        #expect(bank.entries[2].video == VideoFrameRef(videoID: "d-clip", frameNumber: 1, timestampSeconds: 0.033))
    }

    @Test("an error in a folder's file names that file")
    func errorNamesFile() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("\(TestHashes.a)\n".utf8).write(to: folder.appendingPathComponent("good.txt"))
        try Data("\(TestHashes.b)\nnope\n".utf8).write(to: folder.appendingPathComponent("known.csv"))
        #expect(throws: BankError(file: folder.path + "/known.csv", line: 2, problem: .hashNotHex(position: 1, character: "n"))) {
            try BankLoader.load(name: "x", paths: [folder.path])
        }
    }

    @Test("an empty folder gives an empty bank and is listed as empty")
    func emptyFolder() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bank = try BankLoader.load(name: "none", paths: [folder.path]).bank
        #expect(bank.entries.isEmpty)
        #expect(bank.stats.filesRead == 0)
        #expect(bank.stats.emptyInputs == [folder.path])
    }
}
