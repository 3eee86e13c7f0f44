import Foundation
import Synchronization
import Testing
@testable import VigilMedia

@Suite("Reader thread priority")
struct ReaderThreadPriorityTests {
    @Test("lowering a reader's priority lowers that thread's only, to 19")
    func perThread() async {
        let seen = Mutex<Int32?>(nil)
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            ReaderThreadPriority.lowerCurrentThread()
            let lowered = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
            seen.withLock { $0 = lowered }
            done.signal()
        }
        reader.start()
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                done.wait()
                continuation.resume()
            }
        }
        #expect(seen.withLock { $0 } == ReaderThreadPriority.niceness)
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == 0, "the calling thread keeps its priority")
    }
}
