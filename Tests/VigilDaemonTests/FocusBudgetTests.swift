import Testing
import VigilDaemon

@Suite("Focus budget")
struct FocusBudgetTests {
    @Test("at most the cap of streams focus at once; a focusing stream is extended; places free up as focus ends")
    func cap() {
        var budget = FocusBudget(maxStreams: 2)
        let first = budget.admit(stream: "a", now: 0, seconds: 6)
        #expect(first)
        let second = budget.admit(stream: "b", now: 1, seconds: 6)
        #expect(second)
        let third = budget.admit(stream: "c", now: 2, seconds: 6)
        #expect(!third)
        let extended = budget.admit(stream: "a", now: 3, seconds: 6)
        #expect(extended, "already focusing: extended to 9 s")
        let freed = budget.admit(stream: "c", now: 7.5, seconds: 6)
        #expect(freed, "b's focus ended at 7 s")
        let full = budget.admit(stream: "d", now: 8, seconds: 1)
        #expect(!full)
        #expect(budget.active(at: 8) == 2)
        #expect(budget.active(at: 14) == 0)
        var none = FocusBudget(maxStreams: 0)
        let admittedByNone = none.admit(stream: "a", now: 0, seconds: 1)
        #expect(!admittedByNone)
    }
}
