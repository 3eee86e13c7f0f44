/// At most `burst` log lines per `window` seconds for one subject (a stream's interruptions): a
/// source that connects and drops every second must not flood the log. Lines held back are
/// counted, and the next line let through says how many. Pure: times are given.
struct LogRateLimit: Sendable, Equatable {
    /// Lines let through per window.
    let burst: Int
    /// Window length, in seconds.
    let window: Double
    private var windowStart = -Double.infinity
    private var lines = 0
    private var held = 0

    init(burst: Int = 5, window: Double = 60) {
        self.burst = burst
        self.window = window
    }

    /// Whether a line at `time` goes out, and how many were held back since the last one that did.
    mutating func admit(at time: Double) -> (admitted: Bool, heldBack: Int) {
        if time - windowStart >= window {
            windowStart = time
            lines = 0
        }
        guard lines < burst else {
            held += 1
            return (false, 0)
        }
        lines += 1
        defer { held = 0 }
        return (true, held)
    }
}
