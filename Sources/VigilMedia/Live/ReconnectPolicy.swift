import Foundation

/// When a ``StreamSession`` tries again after losing its source.
public struct ReconnectPolicy: Sendable, Equatable, Codable {
    /// Wait before the first retry, in seconds.
    public var initialDelay: Double
    /// Ceiling of the wait, in seconds.
    public var maxDelay: Double
    /// Growth of the wait per consecutive failure.
    public var multiplier: Double
    /// Random spread of each wait, as a fraction (0.25: ±25%), so that many sessions cut off
    /// together do not hammer the server in step.
    public var jitter: Double
    /// Consecutive failed attempts after which the session gives up (`.failed`); `nil` never
    /// gives up. A connection that delivered packets resets the count.
    public var maxAttempts: Int?
    /// Whether a live source that ends (EOF) is reconnected. `nil` decides per source: push
    /// protocols (RTMP, RTSP, SRT, UDP, RTP) never end on purpose, so they are reconnected; an
    /// HTTP source is reconnected only when it has no known duration (live HLS, endless
    /// progressive streams), so on-demand HLS and files on web servers end normally.
    public var reconnectAtEnd: Bool?

    /// Creates a policy; by default retries forever, from 0.5 s up to 15 s apart.
    public init(
        initialDelay: Double = 0.5,
        maxDelay: Double = 15,
        multiplier: Double = 2,
        jitter: Double = 0.25,
        maxAttempts: Int? = nil,
        reconnectAtEnd: Bool? = nil
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxAttempts = maxAttempts
        self.reconnectAtEnd = reconnectAtEnd
    }

    /// The wait before attempt `failures + 1`, given `unit`, a random number in `0..<1`.
    ///
    /// `initialDelay * multiplier^(failures - 1)`, capped at `maxDelay`, then spread by ±`jitter`
    /// and capped again, so it never exceeds `maxDelay` and never goes below zero.
    public func delay(afterFailures failures: Int, unit: Double) -> Double {
        let exponent = Double(max(0, failures - 1))
        let base = min(max(0, maxDelay), max(0, initialDelay) * pow(max(1, multiplier), min(exponent, 64)))
        let spread = 1 + max(0, min(1, jitter)) * (2 * min(max(unit, 0), 1) - 1)
        let value = base * spread
        return value.isFinite ? min(max(0, maxDelay), max(0, value)) : max(0, maxDelay)
    }
}
