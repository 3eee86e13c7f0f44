import Foundation
import Testing
@testable import VigilMedia
import VigilTestSupport

/// What a live test keeps of each frame.
struct LiveFrame: Sendable, Equatable {
    let index: Int
    let ptsSeconds: Double
    let isKeyframe: Bool
    let width: Int
    let height: Int
    let crop: CropRect?
    let observedAt: Date
    /// When the consumer got it.
    let receivedAt: Date

    init(_ frame: Frame) {
        index = frame.index
        ptsSeconds = frame.ptsSeconds
        isKeyframe = frame.isKeyframe
        width = frame.width
        height = frame.height
        crop = frame.crop
        observedAt = frame.observedAt
        receivedAt = Date()
    }
}

/// Runs a session, consuming its frames and state changes in the background, so a test can wait
/// for conditions with deadlines and always stops the session at the end.
final class SessionRecorder: @unchecked Sendable {
    let session: StreamSession
    private let lock = NSLock()
    private var recordedFrames: [LiveFrame] = []
    private var recordedStates: [StreamStateChange] = []
    private var recordedError: MediaError?
    private var consumers: [Task<Void, Never>] = []

    init(url: String, options: StreamOptions) throws {
        session = try StreamSession(url: url, options: options)
    }

    func start() {
        let frames = session.frames
        let changes = session.stateChanges()
        consumers.append(Task { [self] in
            do {
                for try await frame in frames {
                    let summary = LiveFrame(frame)
                    lock.withLock { recordedFrames.append(summary) }
                }
            } catch let error as MediaError {
                lock.withLock { recordedError = error }
            } catch {
                Issue.record("unexpected error type: \(error)")
            }
        })
        consumers.append(Task { [self] in
            for await change in changes {
                lock.withLock { recordedStates.append(change) }
            }
        })
    }

    var frames: [LiveFrame] { lock.withLock { recordedFrames } }
    var states: [StreamStateChange] { lock.withLock { recordedStates } }
    var error: MediaError? { lock.withLock { recordedError } }

    /// Waits up to `seconds` for `condition` to hold.
    func wait(upTo seconds: Double, for condition: (SessionRecorder) -> Bool) async -> Bool {
        await eventually(within: seconds) { condition(self) }
    }

    /// Stops the session and waits (at most 5 s) for it and its consumers to finish; returns the
    /// time stop took, which must be short: nothing may hang.
    @discardableResult
    func stop() async -> Double {
        let started = Date()
        session.stop()
        let finished = await eventually(within: 5) { session.state.isTerminal }
        for consumer in consumers { _ = await consumer.value }
        #expect(finished, "session did not end after stop()")
        return Date().timeIntervalSince(started)
    }

    /// A one-line account for failure messages.
    var summary: String {
        let states = states.map { change in change.reason.map { "\(change.state)(\($0))" } ?? "\(change.state)" }
        return "frames=\(frames.count) states=\(states.suffix(12)) counters=\(session.counters)"
    }
}

/// Session options for a quick live test: short deadlines and backoff, a bounded run, and every
/// sampled picture kept (test patterns repeat, and the counts must say what was sampled).
func liveTestOptions(stall: Double = 3, maxDuration: Double = 40) -> StreamOptions {
    var options = StreamOptions()
    options.timeouts = StreamTimeouts(open: 3, probe: 3, stall: stall)
    options.reconnect = ReconnectPolicy(initialDelay: 0.2, maxDelay: 1)
    options.maxDuration = maxDuration
    options.policy.dropNearDuplicates = false
    return options
}
