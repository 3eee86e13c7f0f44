import Foundation

/// How long a sink waits before trying a failed alert again: exponential backoff with jitter.
///
/// The n-th retry waits `base = min(maximum, initial * multiplier^(n-1))`, of which the first half
/// is fixed and the second half random ("equal jitter"): never a zero wait that would hammer a
/// struggling receiver, yet spread out so that many daemons recovering at once do not retry in step.
public struct RetryPolicy: Sendable, Equatable {
    /// Wait after the first failure, in seconds.
    public var initial: TimeInterval
    /// Growth per further failure.
    public var multiplier: Double
    /// Longest wait, in seconds.
    public var maximum: TimeInterval

    /// Creates a policy; the defaults go 0.5 s, 1 s, 2 s... up to one minute.
    public init(initial: TimeInterval = 0.5, multiplier: Double = 2, maximum: TimeInterval = 60) {
        self.initial = max(0, initial)
        self.multiplier = max(1, multiplier)
        self.maximum = max(self.initial, maximum)
    }

    /// The wait before the next try after `failures` consecutive failures (at least 1).
    public func delay(afterFailures failures: Int, using random: inout some RandomNumberGenerator) -> TimeInterval {
        let exponent = Double(max(0, failures - 1))
        let base = min(maximum, initial * pow(multiplier, min(exponent, 64)))
        let half = base / 2
        return half + Double.random(in: 0...1, using: &random) * half
    }

    /// ``delay(afterFailures:using:)`` with the system's random source.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        var random = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &random)
    }
}
