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
        var frames: [IngestMessage.Wire] = []
        var status: IngestMessage.Wire?
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
    func send(frame message: IngestMessage.Wire) {
        state.withLock { state in
            if state.frames.count >= Self.frameCapacity {
                state.frames.removeFirst()
                state.dropped += 1
            }
            state.frames.append(message)
        }
        wake.signal()
    }

    /// Queues a status, replacing one not yet written.
    func send(status message: IngestMessage.Wire) {
        state.withLock { $0.status = message }
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
            for message in frames + [status].compactMap({ $0 }) where !write(message) {
                // The daemon is gone: nobody reads what this child samples.
                exit(0)
            }
            if finished {
                done.signal()
                return
            }
        }
    }

    /// Writes a message's two parts with as few system calls as the pipe allows.
    private func write(_ message: IngestMessage.Wire) -> Bool {
        message.head.withUnsafeBytes { head in
            message.pixels.withUnsafeBytes { pixels in
                var parts = [head, pixels].filter { !$0.isEmpty }
                while !parts.isEmpty {
                    var vectors = parts.map { iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress), iov_len: $0.count) }
                    let written = writev(descriptor, &vectors, Int32(vectors.count))
                    if written < 0 {
                        if errno == EINTR { continue }
                        return false
                    }
                    // Drop what was written, whole parts first.
                    var remaining = written
                    while let first = parts.first, remaining >= first.count {
                        remaining -= first.count
                        parts.removeFirst()
                    }
                    if remaining > 0 { parts[0] = UnsafeRawBufferPointer(rebasing: parts[0][remaining...]) }
                }
                return true
            }
        }
    }
}
