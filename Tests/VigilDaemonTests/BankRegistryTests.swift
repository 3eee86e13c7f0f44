import Foundation
import Testing
import VigilDaemon
import VigilTestSupport

@Suite("Bank registry: hot reload")
struct BankRegistryTests {
    @Test("a changed file is reloaded; a broken one leaves the old bank serving", .timeLimit(.minutes(3)))
    func reloadChanged() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let file = directory.appendingPathComponent("bank.txt")
        try (TestHashes.hex(1) + "\n").write(to: file, atomically: true, encoding: .utf8)
        let registry = BankRegistry()
        try await registry.add(BankSpec(name: "known", paths: [file.path]))
        let before = registry.loaded()
        #expect(before.first?.matcher.bank.entries.count == 1)

        await registry.reloadChanged()
        #expect(registry.loaded().first?.loadedAt == before.first?.loadedAt, "unchanged files are not reloaded")

        try (TestHashes.hex(1) + "\n" + TestHashes.hex(2) + "\n").write(to: file, atomically: true, encoding: .utf8)
        await registry.reloadChanged()
        #expect(registry.loaded().first?.matcher.bank.entries.count == 2)
        // The snapshot taken before is untouched: queries in flight keep their index.
        #expect(before.first?.matcher.bank.entries.count == 1)

        try "zz\n".write(to: file, atomically: true, encoding: .utf8)
        await registry.reloadChanged()
        #expect(registry.loaded().first?.matcher.bank.entries.count == 2)
        #expect(registry.statuses().first?.lastError?.contains("bank.txt:1") == true)

        try (TestHashes.hex(3) + "\n").write(to: file, atomically: true, encoding: .utf8)
        await registry.reloadChanged()
        #expect(registry.loaded().first?.matcher.bank.entries.count == 1)
        #expect(registry.statuses().first?.lastError == nil)
    }
}
