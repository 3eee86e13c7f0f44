import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

@Suite("FrameStream", .timeLimit(.minutes(3)))
struct FrameStreamTests {
    /// Waits up to `seconds` for the stream's reader thread to end.
    private func readerStops(_ stream: FrameStream, within seconds: Double = 5) async -> Bool {
        await waitUntil(within: seconds) { !stream.isReaderRunning }
    }

    /// Polls `condition` until it holds or `seconds` pass.
    private func waitUntil(within seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    @Test("Frames arrive complete and in order, and info is available")
    func ordering() async throws {
        let media = try await SyntheticMedia.get()
        let stream = FrameStream(url: media.clip, options: .init(sampling: .everyFrame))
        let info = try await stream.info()
        #expect(info.width == 320 && info.height == 240 && info.frameRate == 25)
        var indices: [Int] = []
        for try await frame in stream {
            #expect(frame.pixels.count == 320 * 240 * 3)
            indices.append(frame.index)
        }
        #expect(indices == Array(0..<75))
        #expect(stream.droppedFrames == 0)
        #expect(await readerStops(stream))
    }

    @Test("A slow consumer with .wait loses nothing and the buffer stays bounded")
    func slowConsumerWaits() async throws {
        let media = try await SyntheticMedia.get()
        let stream = FrameStream(url: media.clip, options: .init(sampling: .everyFrame), capacity: 2, overflow: .wait)
        var indices: [Int] = []
        for try await frame in stream {
            indices.append(frame.index)
            if indices.count % 5 == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(indices == Array(0..<75))
        #expect(stream.droppedFrames == 0)
        #expect(stream.bufferHighWaterMark <= 2)
    }

    @Test("A slow consumer with .dropOldest gets the freshest frames and the drops are counted")
    func slowConsumerDrops() async throws {
        let media = try await SyntheticMedia.get()
        let stream = FrameStream(url: media.clip, options: .init(sampling: .everyFrame), capacity: 3, overflow: .dropOldest)
        var indices: [Int] = []
        for try await frame in stream {
            indices.append(frame.index)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(stream.droppedFrames > 0)
        #expect(indices.count + stream.droppedFrames == 75)
        #expect(indices == indices.sorted() && Set(indices).count == indices.count)
        #expect(indices.last == 74, "the newest frame is never the one dropped")
        #expect(stream.bufferHighWaterMark <= 3)
    }

    @Test("Breaking out of the loop stops the reader thread")
    func breakStopsReader() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        let stream = FrameStream(url: path, options: .init(sampling: .everyFrame), capacity: 1)
        var seen = 0
        for try await _ in stream {
            seen += 1
            if seen == 2 { break }
        }
        #expect(seen == 2)
        #expect(await readerStops(stream))
    }

    @Test("Cancelling the consuming task stops the reader and ends iteration with .cancelled")
    func taskCancellationStopsReader() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        let stream = FrameStream(url: path, options: .init(sampling: .everyFrame), capacity: 1)
        let firstFrame = AsyncStream<Void>.makeStream()
        let consumer = Task { () -> (Int, MediaError?) in
            var seen = 0
            do {
                for try await _ in stream {
                    seen += 1
                    if seen == 1 { firstFrame.continuation.yield() }
                    try? await Task.sleep(for: .seconds(30))
                }
                return (seen, nil)
            } catch {
                return (seen, error as? MediaError)
            }
        }
        for await _ in firstFrame.stream { break }
        consumer.cancel()
        let (seen, error) = await consumer.value
        #expect(seen == 1)
        #expect(error == .cancelled(url: path))
        #expect(await readerStops(stream))
    }

    @Test("Dropping a stream that was opened but never iterated stops its reader")
    func droppedStreamStopsReader() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        var stream: FrameStream? = FrameStream(url: path, options: .init(sampling: .everyFrame), capacity: 1)
        _ = try await stream?.info()
        let isRunning = try #require(stream?.makeReaderProbe())
        #expect(isRunning())
        stream = nil
        #expect(await waitUntil { !isRunning() })
    }

    @Test("Opening errors surface from the first next() and from info()")
    func openingErrors() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-absent-\(UUID()).mp4").path
        let stream = FrameStream(url: path)
        var iterator = stream.makeAsyncIterator()
        do {
            _ = try await iterator.next()
            Issue.record("expected an error")
        } catch {
            guard case .openFailed(let url, _) = error else {
                Issue.record("expected openFailed, got \(error)")
                return
            }
            #expect(url == path)
        }
        #expect(try await iterator.next() == nil, "finished after the error")
        await #expect(throws: MediaError.self) { try await stream.info() }
    }

    @Test("A reader error ends iteration with that typed error")
    func readerError() async throws {
        let media = try await SyntheticMedia.get()
        let stream = FrameStream(url: media.audioOnly)
        await #expect(throws: MediaError.noVideoStream(url: media.audioOnly)) {
            for try await _ in stream {}
        }
    }
}
