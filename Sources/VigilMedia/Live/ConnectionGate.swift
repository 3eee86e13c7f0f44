import Dispatch
import Synchronization

/// A limit on how many connections open (connect, then probe) at once, shared by many streams.
///
/// Probing decodes pictures, so a daemon starting hundreds of streams at once (or seeing its media
/// server restart) would otherwise probe them all together: on a few cores every open then runs
/// past its deadline, and the streams back off and collide again. Connections wait here for a
/// slot first; their open and probe deadlines start once they have one.
public final class ConnectionGate: Sendable, Equatable {
    /// Connections that may be opening at once.
    public let limit: Int
    /// Slots free now: created empty and filled by signals, since libdispatch traps when a
    /// semaphore is freed holding less than the value it was created with.
    private let slots = DispatchSemaphore(value: 0)

    /// Creates a gate letting `limit` connections (at least one) open at once.
    public init(limit: Int) {
        self.limit = max(1, limit)
        for _ in 0..<self.limit { slots.signal() }
    }

    /// Takes a slot if one is free now, without waiting; it is given back by
    /// ``Slot/release()``, or when the slot is freed.
    public func tryTake() -> Slot? {
        tryEnter() ? Slot(gate: self) : nil
    }

    private func tryEnter() -> Bool {
        slots.wait(timeout: .now()) == .success
    }

    /// Waits for a slot on the calling thread; `false`, holding nothing, when `cancellation` is
    /// raised or the monotonic clock passes `deadline` first.
    func enter(cancellation: CancellationFlag, deadline: Double?) -> Bool {
        if tryEnter() { return true }
        while !cancellation.isCancelled {
            if let deadline, MonotonicClock.seconds() >= deadline { return false }
            if slots.wait(timeout: .now() + .milliseconds(50)) == .success { return true }
        }
        return false
    }

    /// Gives back a slot taken by ``enter(cancellation:deadline:)``.
    func leave() {
        slots.signal()
    }

    /// A slot taken from a gate, given back once by whichever of its holder's paths comes first.
    public final class Slot: Sendable {
        private let gate: ConnectionGate
        private let held = Atomic<Bool>(true)

        fileprivate init(gate: ConnectionGate) {
            self.gate = gate
        }

        deinit { release() }

        /// Gives the slot back; later calls do nothing.
        public func release() {
            if held.exchange(false, ordering: .acquiringAndReleasing) { gate.leave() }
        }
    }

    /// Gates are shared by reference: two are the same gate only if they are one object.
    public static func == (lhs: ConnectionGate, rhs: ConnectionGate) -> Bool { lhs === rhs }
}
