import Testing
@testable import VigilDaemon

/// The per-stream log rate limit.
@Suite("Log rate limit")
struct LogRateLimitTests {
    @Test("a burst goes out, the rest of the window is held back and counted in the next line let through")
    func burstThenHeld() {
        var limit = LogRateLimit(burst: 3, window: 60)
        let first = (0..<10).map { limit.admit(at: Double($0)) }
        #expect(first.map(\.admitted) == [true, true, true] + Array(repeating: false, count: 7))
        #expect(first.map(\.heldBack).allSatisfy { $0 == 0 })
        // A new window: its first line says 7 were held back; then the count starts again.
        #expect(limit.admit(at: 60) == (true, 7))
        #expect(limit.admit(at: 61) == (true, 0))
    }

    @Test("a source dropping every second for an hour logs 5 lines a minute, not 3,600")
    func hourOfDrops() {
        var limit = LogRateLimit()
        let logged = (0..<3600).filter { limit.admit(at: Double($0)).admitted }.count
        #expect(logged == 60 * 5)
    }
}
