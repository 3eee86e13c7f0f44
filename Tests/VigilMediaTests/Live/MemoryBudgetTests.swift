import Testing
import VigilMedia

@Suite("Memory budget")
struct MemoryBudgetTests {
    @Test("a holding moves up while it fits, down always, and stays as it was when refused")
    func move() {
        let budget = MemoryBudget(limit: 100)
        var first = 0, second = 0
        #expect(budget.move(&first, to: 60) && first == 60 && budget.inUse == 60)
        #expect(budget.move(&second, to: 40) && budget.inUse == 100)
        #expect(!budget.move(&second, to: 41) && second == 40 && budget.inUse == 100)
        #expect(budget.move(&first, to: 10) && first == 10 && budget.inUse == 50)
        #expect(budget.move(&second, to: 90) && second == 90 && budget.inUse == 100)
        #expect(budget.move(&second, to: 90) && budget.inUse == 100, "the same size takes nothing more")
    }
}
