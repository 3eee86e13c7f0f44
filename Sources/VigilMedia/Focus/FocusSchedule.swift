/// The focus times a reader has yet to sample, oldest first, bounded.
///
/// A pure value: the reader owns it on its own thread and feeds it every decoded picture's time.
struct FocusSchedule: Sendable, Equatable {
    /// Most times waiting at once: focus is a short, bounded burst, whatever a caller asks.
    static let capacity = 32

    private(set) var times: [Double] = []
    /// Times that passed before a picture near them was decoded (the request came too late).
    private(set) var missed = 0

    /// Whether any time is waiting.
    var isActive: Bool { !times.isEmpty }

    /// Adds the requested times later than `now` (the latest picture's time, if any) that are not
    /// already waiting; keeps the earliest ``capacity``. Returns how many were added.
    @discardableResult
    mutating func add(_ request: FocusRequest, after now: Double?) -> Int {
        let before = times.count
        for time in request.times where now.map({ time > $0 }) ?? true {
            guard !times.contains(where: { abs($0 - time) < 1e-3 }) else { continue }
            times.append(time)
        }
        times.sort()
        if times.count > Self.capacity { times.removeLast(times.count - Self.capacity) }
        return max(0, times.count - before)
    }

    /// Whether the picture at `time` is to be sampled for a waiting time: it is the first picture
    /// within half a frame before that time or after it. Every time it stands for is removed;
    /// times more than one and a half frames behind it were missed and are dropped.
    mutating func take(time: Double, frameDuration: Double) -> Bool {
        let half = frameDuration / 2
        var taken = false
        while let first = times.first, first <= time + half {
            times.removeFirst()
            if first >= time - 3 * half {
                taken = true
            } else {
                missed += 1
            }
        }
        return taken
    }
}
