import Foundation

/// Where a ``StreamSession`` stands; also what the daemon and its API report for a stream.
public enum StreamState: String, Sendable, Equatable, Codable, CaseIterable {
    /// Opening and probing the source.
    case connecting
    /// Reading packets.
    case live
    /// The stall watchdog fired; a reconnect follows.
    case stalled
    /// Waiting before the next connection attempt.
    case backoff
    /// Over: the maximum duration reached, or the source ended. Terminal.
    case ended
    /// Over: its owner stopped it (or stopped reading its frames). Terminal.
    case stopped
    /// Over: an error that reconnecting cannot fix, or too many failed attempts. Terminal.
    case failed

    /// Whether the session is over.
    public var isTerminal: Bool { self == .ended || self == .failed || self == .stopped }
}

/// One transition of a ``StreamSession``.
public struct StreamStateChange: Sendable, Equatable {
    /// The new state.
    public let state: StreamState
    /// Why, when the transition was caused by an error (the error behind a stall, a backoff, a failure).
    public let reason: MediaError?
    /// When it happened.
    public let at: Date

    /// Creates a transition record.
    public init(state: StreamState, reason: MediaError?, at: Date) {
        self.state = state
        self.reason = reason
        self.at = at
    }
}
