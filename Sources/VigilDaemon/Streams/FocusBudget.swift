/// The daemon-wide cap on focus: how many streams may be sampled densely at once.
///
/// Focus costs a stream every picture's decode while it lasts, so a burst of chance near-matches
/// across many streams must not turn the whole daemon into a dense decoder. A pure value; the
/// daemon keeps it under a lock.
public struct FocusBudget: Sendable, Equatable {
    /// Most streams focusing at the same time.
    public let maxStreams: Int
    /// Per focusing stream, the time its focus ends.
    private var until: [String: Double] = [:]

    /// Creates a budget of `maxStreams` streams at once.
    public init(maxStreams: Int) {
        self.maxStreams = max(0, maxStreams)
    }

    /// Streams focusing at `now`.
    public func active(at now: Double) -> Int {
        until.values.count { $0 > now }
    }

    /// Whether `stream` may focus from `now` for `seconds`: yes when it already does (its focus is
    /// extended) or a place is free.
    public mutating func admit(stream: String, now: Double, seconds: Double) -> Bool {
        until = until.filter { $0.value > now }
        guard until[stream] != nil || until.count < maxStreams else { return false }
        until[stream] = max(until[stream] ?? now, now + seconds)
        return true
    }
}
