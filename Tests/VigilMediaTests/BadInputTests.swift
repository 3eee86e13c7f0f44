import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// Broken, hostile or unusual inputs end in a typed error with a readable message, never a crash.
@Suite("Bad input", .timeLimit(.minutes(3)))
final class BadInputTests {
    let directory: URL

    init() throws {
        directory = try Fixtures.temporaryDirectory()
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func write(_ data: Data, _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    private func openError(_ url: String, options: MediaReaderOptions = .init()) -> MediaError? {
        do {
            _ = try MediaReader(url: url, options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingFile() {
        let path = directory.appendingPathComponent("absent.mp4").path
        let error = openError(path)
        guard case .openFailed(let url, let reason)? = error else {
            Issue.record("expected openFailed, got \(String(describing: error))")
            return
        }
        #expect(url == path)
        #expect(reason.contains("No such file"))
        #expect(error?.description == "\(path): cannot open (No such file or directory)")
    }

    @Test func zeroByteFile() throws {
        let path = try write(Data(), "empty.mp4")
        guard case .openFailed? = openError(path) else {
            Issue.record("expected openFailed for an empty file")
            return
        }
    }

    @Test func textFile() throws {
        let path = try write(Data("just some notes, not a video\n".utf8), "notes.mp4")
        let error = openError(path)
        guard case .openFailed? = error else {
            Issue.record("expected openFailed, got \(String(describing: error))")
            return
        }
        #expect(error?.description.contains("Invalid data") == true)
    }

    @Test func randomBytes() throws {
        var generator = SplitMix64(state: 42)
        let bytes = (0..<8192).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let path = try write(Data(bytes), "noise.bin")
        #expect(openError(path) != nil)
    }

    @Test func audioOnly() async throws {
        let media = try await SyntheticMedia.get()
        let error = openError(media.audioOnly)
        #expect(error == .noVideoStream(url: media.audioOnly))
        #expect(error?.description == "\(media.audioOnly): no video stream (audio only?)")
    }

    @Test("First 2 KB of an MP4 whose index is at the end")
    func truncatedHeader() async throws {
        let media = try await SyntheticMedia.get()
        let path = try write(try Data(contentsOf: URL(fileURLWithPath: media.clip)).prefix(2048), "head.mp4")
        guard case .openFailed? = openError(path) else {
            Issue.record("expected openFailed")
            return
        }
    }

    @Test("First 2 KB of an MP4 whose index is at the front: opens, but no frame is complete")
    func truncatedBeforeFirstFrame() async throws {
        let media = try await SyntheticMedia.get()
        let path = try write(try Data(contentsOf: URL(fileURLWithPath: media.fastStartClip)).prefix(2048), "head-faststart.mp4")
        let reader = try MediaReader(url: path, options: .init(sampling: .everyFrame))
        #expect(throws: MediaError.noFrames(url: path)) { try readAll(reader) }
        #expect(MediaError.noFrames(url: path).description.hasPrefix("\(path): no decodable video frames"))
    }

    @Test("An MP4 cut in half, index at the end: cannot open")
    func halfFileIndexAtEnd() async throws {
        let media = try await SyntheticMedia.get()
        let data = try Data(contentsOf: URL(fileURLWithPath: media.clip))
        let path = try write(data.prefix(data.count / 2), "half.mp4")
        guard case .openFailed? = openError(path) else {
            Issue.record("expected openFailed")
            return
        }
    }

    @Test("An MP4 cut in half, index at the front: the first frames still decode")
    func halfFileIndexAtFront() async throws {
        let media = try await SyntheticMedia.get()
        let data = try Data(contentsOf: URL(fileURLWithPath: media.fastStartClip))
        let path = try write(data.prefix(data.count / 2), "half-faststart.mp4")
        let reader = try MediaReader(url: path, options: .init(sampling: .everyFrame))
        var frames: [FrameSummary] = []
        do {
            while let frame = try reader.nextFrame() { frames.append(FrameSummary(frame)) }
        } catch {
            // Ending on a read error after the decodable part is acceptable too.
            guard case .readFailed = error else {
                Issue.record("unexpected \(error)")
                return
            }
        }
        #expect(frames.count > 10 && frames.count < 75)
        #expect(frames.map(\.index) == Array(0..<frames.count))
    }

    @Test("A 1x1 PNG is valid media")
    func onePixelPNG() throws {
        let path = try write(PNGBuilder.png(width: 1, height: 1, rows: [[200, 100, 50]]), "dot.png")
        let reader = try MediaReader(url: path)
        #expect(reader.info.width == 1 && reader.info.height == 1)
        #expect(reader.info.codecName == "png")
        #expect(reader.info.isStillImage)
        let frame = try #require(try reader.nextFrame())
        #expect(frame.pixels == [200, 100, 50])
        #expect(frame.ptsSeconds == 0)
        #expect(try reader.nextFrame() == nil)
    }

    @Test("A PNG claiming 20000x20000 is refused before anything large is allocated")
    func hugePNGHeader() throws {
        let path = try write(PNGBuilder.png(width: 20000, height: 20000, rows: [[UInt8](repeating: 7, count: 60)]), "huge.png")
        let before = peakResidentBytes()
        let error = openError(path)
        #expect(error == .dimensionsTooLarge(url: path, width: 20000, height: 20000, limit: 16384))
        #expect(error?.description == "\(path): picture size 20000x20000 exceeds the limit of 16384 pixels per side")
        // A decoded 20000x20000 picture would need well over a gigabyte.
        #expect(peakResidentBytes() - before < 256 << 20)
    }

    @Test("A PNG FFmpeg accepts but that is wider than maxDimension")
    func widePNGHeader() throws {
        let path = try write(PNGBuilder.png(width: 17000, height: 10, rows: [[UInt8](repeating: 7, count: 60)]), "wide.png")
        #expect(openError(path) == .dimensionsTooLarge(url: path, width: 17000, height: 10, limit: 16384))
    }

    @Test("A PNG over maxPixels but within maxDimension")
    func tooManyPixelsPNG() throws {
        let path = try write(PNGBuilder.png(width: 9000, height: 9000, rows: [[UInt8](repeating: 7, count: 60)]), "big.png")
        let error = openError(path)
        #expect(error == .tooManyPixels(url: path, width: 9000, height: 9000, limit: 8192 * 8192))
        #expect(error?.description == "\(path): picture size 9000x9000 exceeds the limit of 67108864 pixels")
    }

    @Test("Video larger than a custom limit is refused at open")
    func customLimits() async throws {
        let media = try await SyntheticMedia.get()
        #expect(openError(media.clip, options: .init(maxDimension: 300))
            == .dimensionsTooLarge(url: media.clip, width: 320, height: 240, limit: 300))
        #expect(openError(media.clip, options: .init(maxPixels: 320 * 240 - 1))
            == .tooManyPixels(url: media.clip, width: 320, height: 240, limit: 320 * 240 - 1))
    }

    @Test("Corrupt packets are counted and skipped")
    func corruptPackets() async throws {
        let media = try await SyntheticMedia.get()
        let reader = try MediaReader(url: media.corruptMJPEG, options: .init(sampling: .everyFrame))
        let frames = try readAll(reader)
        #expect(frames.count == 40)
        #expect(reader.counters.decodedFrames == 40)
        #expect(reader.counters.decodeErrors == 10)
        #expect(reader.counters.packets == 50)
        #expect(frames.map(\.index) == Array(0..<40))
    }
}

/// The process's peak resident memory so far, in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
