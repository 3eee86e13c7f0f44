import Foundation
import Synchronization
import Testing
import VigilDaemon
import VigilMedia

/// A source that reads in step with detection waits for every frame it hands over to be done
/// with: hashed and judged, dropped, or removed with its stream. The pool must say so each time.
@Suite("Hashing pool: feedback to sources")
struct HashingPoolFeedbackTests {
    final class Acknowledgements: Sendable {
        let count = Mutex(0)
        var feedback: SampleFeedback {
            SampleFeedback(focus: { _ in }, acknowledge: { [self] in count.withLock { $0 += 1 } })
        }
    }

    static func job(_ stream: String, _ index: Int, _ acks: Acknowledgements) -> HashJob {
        var job = HashingPoolTests.job(stream, index)
        job.feedback = acks.feedback
        return job
    }

    @Test("every frame is acknowledged once: hashed, dropped for a fresher one, or removed with its stream")
    func everyFrameAcknowledged() async {
        let acks = Acknowledgements()
        let pool = HashingPool(width: 1, perStreamCapacity: 1, maxQueued: 100)
        pool.submit(Self.job("file", 0, acks))
        pool.submit(Self.job("file", 1, acks))
        #expect(acks.count.withLock { $0 } == 1, "the dropped frame")
        pool.submit(Self.job("gone", 0, acks))
        pool.removeQueued(stream: "gone")
        #expect(acks.count.withLock { $0 } == 2, "the removed stream's frame")
        pool.finish()
        let handled = Mutex(0)
        await pool.run { sample in
            #expect(sample.feedback != nil)
            handled.withLock { $0 += 1 }
        }
        #expect(handled.withLock { $0 } == 1)
        #expect(acks.count.withLock { $0 } == 3, "the hashed frame, after its handler")
        pool.submit(Self.job("file", 2, acks))
        #expect(acks.count.withLock { $0 } == 4, "refused after finish")
    }
}
