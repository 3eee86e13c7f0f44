import Foundation
import Synchronization

/// Makes ``AlertID``s that are strictly increasing within one process, even several in the same
/// millisecond or when the wall clock steps back: the random part is then incremented instead of
/// redrawn (the ULID spec's monotonic mode), so order of creation is order of id.
public final class AlertIDGenerator: Sendable {
    private struct State {
        var lastMilliseconds: UInt64 = 0
        var high: UInt16 = 0
        var low: UInt64 = 0
        var random: any RandomNumberGenerator & Sendable
    }
    private let state: Mutex<State>

    /// Creates a generator drawing from the system's random source.
    public convenience init() {
        self.init(random: SystemRandomNumberGenerator())
    }

    /// Creates a generator drawing from `random` (tests pass a seeded one).
    public init(random: some RandomNumberGenerator & Sendable) {
        state = Mutex(State(random: random))
    }

    /// A new id for an event at `date`.
    public func next(at date: Date) -> AlertID {
        let now = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down))) & 0xFFFF_FFFF_FFFF
        return state.withLock { state in
            if now > state.lastMilliseconds {
                state.lastMilliseconds = now
                state.high = UInt16.random(in: .min ... .max, using: &state.random)
                state.low = UInt64.random(in: .min ... .max, using: &state.random)
            } else {
                // Same millisecond, or the clock went back: keep the last time and count up.
                let (low, carry) = state.low.addingReportingOverflow(1)
                state.low = low
                if carry { state.high &+= 1 }
            }
            return AlertID(milliseconds: state.lastMilliseconds, randomHigh: state.high, randomLow: state.low)
        }
    }
}
