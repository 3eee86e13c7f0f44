import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

/// How a ``StreamSession`` hands a file's frames to async code: in order, bounded, and stopping its
/// thread when the consumer goes away.
@Suite("StreamSession hand-off", .timeLimit(.minutes(3)))
struct SessionHandOffTests {
    /// A session that reads `url` exactly, as `vigil hash` does.
    private func session(_ url: String, sampling: SamplingMode = .everyFrame, capacity: Int = 4) -> StreamSession {
        StreamSession(source: try! StreamSource(url), options: StreamOptions(
            media: MediaReaderOptions(sampling: sampling), policy: .exact, frameBufferCapacity: capacity
        ))
    }

    @Test("Frames arrive complete and in order, and the opened input is described")
    func ordering() async throws {
        let media = try await SyntheticMedia.get()
        let session = session(media.clip)
        let info = try await session.opened()
        #expect(info.width == 320 && info.height == 240 && info.frameRate == 25)
        var indices: [Int] = []
        for try await frame in session.frames {
            #expect(frame.pixels.count == 320 * 240 * 3)
            indices.append(frame.index)
        }
        #expect(indices == Array(0..<75))
        #expect(session.counters.droppedFrames == 0)
        #expect(await session.finished().state == .ended)
    }

    @Test("A slow consumer of a file loses nothing: the reader waits")
    func slowConsumerWaits() async throws {
        let media = try await SyntheticMedia.get()
        let session = session(media.clip, capacity: 2)
        var indices: [Int] = []
        for try await frame in session.frames {
            indices.append(frame.index)
            if indices.count % 5 == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(indices == Array(0..<75))
        #expect(session.counters.droppedFrames == 0)
    }

    @Test("Breaking out of the loop and stopping ends the session's thread")
    func breakStopsReader() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        let session = session(path, capacity: 1)
        var seen = 0
        for try await _ in session.frames {
            seen += 1
            if seen == 2 { break }
        }
        session.stop()
        #expect(seen == 2)
        #expect(await session.finished().state == .stopped)
    }

    @Test("Cancelling the consuming task ends iteration with .cancelled")
    func taskCancellationStopsReader() async throws {
        let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")
        let session = session(path, capacity: 1)
        let firstFrame = AsyncStream<Void>.makeStream()
        let frames = session.frames
        let consumer = Task { () -> (Int, MediaError?) in
            var seen = 0
            do {
                for try await _ in frames {
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
    }

    @Test("Cancelling a consumer that waits for a first frame stops the session at once")
    func cancelWhileWaiting() async throws {
        // Nothing is ever sent to this port: the session waits (up to 30 s) to open it.
        let url = "udp://127.0.0.1:\(try freeLoopbackPort(udp: true))"
        let session = StreamSession(source: try StreamSource(url), options: StreamOptions(
            timeouts: StreamTimeouts(open: 30, probe: 30, stall: 30)
        ))
        let frames = session.frames
        let consumer = Task { () -> MediaError? in
            do {
                for try await _ in frames {}
                return nil
            } catch {
                return error as? MediaError
            }
        }
        // The first change is the initial state; the second is the session's thread connecting,
        // which the consumer's iteration started.
        var changes = session.stateChanges().makeAsyncIterator()
        _ = await changes.next()
        #expect(await changes.next()?.state == .connecting)
        let started = ContinuousClock.now
        consumer.cancel()
        #expect(await consumer.value == .cancelled(url: url))
        #expect(await session.finished().state == .stopped)
        #expect(ContinuousClock.now - started < .seconds(10), "the blocking open was interrupted")
    }

    @Test("Opening errors surface from opened() and from iteration")
    func openingErrors() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-absent-\(UUID()).mp4").path
        let session = session(path)
        do {
            _ = try await session.opened()
            Issue.record("expected an error")
        } catch {
            guard case .openFailed(let url, _) = error else {
                Issue.record("expected openFailed, got \(error)")
                return
            }
            #expect(url == path)
        }
        await #expect(throws: MediaError.self) {
            for try await _ in session.frames {}
        }
        #expect(await session.finished().state == .failed)
    }

    @Test("A file without video fails the session with that typed error")
    func readerError() async throws {
        let media = try await SyntheticMedia.get()
        let session = session(media.audioOnly)
        await #expect(throws: MediaError.noVideoStream(url: media.audioOnly)) {
            for try await _ in session.frames {}
        }
    }

    @Test("A file that ends before its first picture fails with noFrames, not a silent end")
    func noFrames() async throws {
        let media = try await SyntheticMedia.get()
        let head = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-head-\(UUID()).mp4")
        try Data(contentsOf: URL(fileURLWithPath: media.fastStartClip)).prefix(2048).write(to: head)
        defer { try? FileManager.default.removeItem(at: head) }
        let session = session(head.path)
        await #expect(throws: MediaError.noFrames(url: head.path)) {
            for try await _ in session.frames {}
        }
    }
}
