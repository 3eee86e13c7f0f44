import Testing
@testable import VigilDaemon

@Suite("FailedAuthentications")
struct FailedAuthenticationsTests {
    @Test("the first failure is free, then each waits twice as long, up to 8 s")
    func delays() {
        var state = FailedAuthentications()
        let delays = (0..<9).map { index in state.failed(client: "10.0.0.1", now: Double(index)).delay }
        #expect(delays == [.zero, .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        #expect(FailedAuthentications.delay(afterFailures: 10_000) == .seconds(8))
    }

    @Test("counts are per client, start over after a valid token or ten quiet minutes")
    func perClient() {
        var state = FailedAuthentications()
        for second in 0..<3 { _ = state.failed(client: "a", now: Double(second)) }
        #expect(state.failed(client: "b", now: 3).failures == 1)
        #expect(state.failed(client: "a", now: 4).failures == 4)
        state.succeeded(client: "a")
        #expect(state.failed(client: "a", now: 5).failures == 1)
        #expect(state.failed(client: "a", now: 6).failures == 2)
        #expect(state.failed(client: "a", now: 6 + FailedAuthentications.forgetAfter + 1).failures == 1)
    }

    @Test("a flood of addresses cannot grow the table past its capacity; the quietest is forgotten")
    func bounded() {
        var state = FailedAuthentications(capacity: 3)
        for (index, client) in ["a", "b", "c"].enumerated() { _ = state.failed(client: client, now: Double(index)) }
        _ = state.failed(client: "a", now: 10)
        _ = state.failed(client: "d", now: 11)
        #expect(state.count == 3)
        // "b" was the quietest: it starts over, "a" does not.
        #expect(state.failed(client: "a", now: 12).failures == 3)
        #expect(state.failed(client: "b", now: 13).failures == 1)
    }
}
