import Foundation
import Synchronization

/// The child's side of the pipe to the daemon: messages queued by the session and written to
/// standard output by a thread of their own, so a slow daemon never blocks the session (nor
/// Swift's cooperative pool).
///
/// Frames are bounded as a live session's frames are: when the daemon falls behind, the oldest
/// queued frame is dropped and counted. Only the newest status is kept.
final class IngestOutput: Sendable {
    private struct State {
        var frames: [[UInt8]] = []
        var status: [UInt8]?
        var finished = false
        var dropped = 0
    }

    /// Frames queued at most.
    static let frameCapacity = 4

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let descriptor: Int32

    /// Writes to `descriptor` (standard output) from a thread started now.
    init(descriptor: Int32 = STDOUT_FILENO) {
        self.descriptor = descriptor
        let thread = Thread { [self] in writeUntilFinished() }
        thread.name = "vigil-ingest-output"
        thread.start()
    }

    /// Frames dropped because the daemon fell behind.
    var dropped: Int { state.withLock { $0.dropped } }

    /// Queues a frame, dropping the oldest when full.
    func send(frame bytes: [UInt8]) {
        state.withLock { state in
            if state.frames.count >= Self.frameCapacity {
                state.frames.removeFirst()
                state.dropped += 1
            }
            state.frames.append(bytes)
        }
        wake.signal()
    }

    /// Queues a status, replacing one not yet written.
    func send(status bytes: [UInt8]) {
        state.withLock { $0.status = bytes }
        wake.signal()
    }

    /// Writes what is queued, then stops; returns once written.
    func finish() {
        state.withLock { $0.finished = true }
        wake.signal()
        done.wait()
    }

    private func writeUntilFinished() {
        while true {
            wake.wait()
            let (frames, status, finished) = state.withLock { state in
                defer { state.frames = []; state.status = nil }
                return (state.frames, state.status, state.finished)
            }
            for bytes in frames + [status].compactMap({ $0 }) where !write(bytes) {
                // The daemon is gone: nobody reads what this child samples.
                exit(0)
            }
            if finished {
                done.signal()
                return
            }
        }
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
