import Foundation
import Testing
import VigilTestSupport
@testable import VigilMedia

@Suite("Cancelling a MediaReader", .timeLimit(.minutes(3)))
struct CancellationTests {
    let path = Fixtures.path("vpdq/test-padded-dimensions.mp4")

    @Test func cancelBeforeReading() throws {
        let reader = try MediaReader(url: path, options: .init(sampling: .everyFrame))
        reader.cancel()
        #expect(throws: MediaError.cancelled(url: path)) { try reader.nextFrame() }
        #expect(throws: MediaError.cancelled(url: path)) { try reader.nextFrame() }
    }

    @Test func cancelledBeforeOpening() {
        let flag = CancellationFlag()
        flag.cancel()
        #expect(throws: MediaError.cancelled(url: path)) {
            _ = try MediaReader(url: path, options: .init(), cancellation: flag)
        }
    }

    @Test("Cancelling from another thread stops a reader mid-stream")
    func cancelFromAnotherThread() throws {
        let reader = try MediaReader(url: path, options: .init(sampling: .everyFrame))
        let handle = reader.cancellationHandle
        var frames = 0
        do {
            while try reader.nextFrame() != nil {
                frames += 1
                if frames == 3 {
                    let done = DispatchSemaphore(value: 0)
                    Thread.detachNewThread {
                        handle.cancel()
                        done.signal()
                    }
                    done.wait()
                }
            }
            Issue.record("reader finished despite being cancelled")
        } catch {
            #expect(error == .cancelled(url: path))
        }
        #expect(frames == 3)
    }
}
