import Foundation
import Testing
import VigilDaemon
import VigilTestSupport

@Suite("Bank polling on the daemon's clock")
struct BankPollingTests {
    @Test("a changed bank file is reloaded when the poll interval passes on the daemon's clock", .timeLimit(.minutes(1)))
    func pollsOnTheClock() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bankFile = directory.appendingPathComponent("known.txt")
        try (TestHashes.hex(0) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        let clock = ManualClock()
        let daemon = try await TestDaemon.start(clock: clock) {
            $0.banks = [BankSpec(name: "known", paths: [bankFile.path])]
            $0.bankPollInterval = 5
        }
        func entries() async throws -> Int? {
            let banks = try await API.call(.GET, daemon.base + "/v1/banks").json?["banks"] as? [[String: Any]]
            return banks?.first?["entries"] as? Int
        }
        #expect(try await entries() == 1)
        try (TestHashes.hex(0) + "\n" + TestHashes.hex(1) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        // Every timer (incident flush, bank poll, stream-health check, outbox pruning, scan-queue
        // poll) asleep: short of the interval, nothing is read.
        try await waitUntil(timeout: .seconds(10)) { clock.sleepers == 5 }
        clock.advance(by: .seconds(4))
        try await waitUntil(timeout: .seconds(10)) { clock.sleepers == 5 }
        #expect(try await entries() == 1)
        clock.advance(by: .seconds(1))
        try await waitUntil(timeout: .seconds(10)) { try await entries() == 2 }
        await daemon.stop()
    }
}
