import Foundation
import Testing
import VigilTestSupport

/// Reloading a bank swaps a new index in for the old one: the old one's memory must go with the
/// swap, so a daemon whose lists are reloaded every few minutes stays at one bank's memory.
@Suite("Bank reload memory with the built binary", .serialized)
struct BankReloadMemoryTests {
    /// `VmRSS` or `VmHWM` of a running process, in bytes.
    static func memory(_ field: String, of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        for line in status.split(separator: "\n") where line.hasPrefix("\(field):") {
            if let kilobytes = line.split(separator: " ").compactMap({ Int($0) }).first { return kilobytes << 10 }
        }
        throw SubprocessError(description: "no \(field) in /proc/\(pid)/status")
    }

    @Test("reloading a 200,000-hash bank twelve times does not accumulate memory", .timeLimit(.minutes(3)))
    func reloadsDoNotAccumulate() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = 200_000
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(count * 65)
        let digits = Array("0123456789abcdef")
        for _ in 0..<count {
            for _ in 0..<4 {
                var word = generator.next() as UInt64
                for _ in 0..<16 {
                    text.append(digits[Int(word & 15)])
                    word >>= 4
                }
            }
            text.append("\n")
        }
        let bank = directory.appendingPathComponent("large.txt").path
        try text.write(toFile: bank, atomically: true, encoding: .utf8)
        text = ""

        let port = try freeLoopbackPort()
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(port)
            api_token: \(TestDaemon.token)
            state_dir: \(directory.path)/state
            api: {bank_roots: [\(directory.path)]}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("log.txt"))
        let pid = daemon.process.processIdentifier
        let banks = "http://127.0.0.1:\(port)/v1/banks"
        try await waitUntil(timeout: .seconds(60)) { (try? await API.call(.GET, banks))?.status == 200 }
        let empty = try Self.memory("VmRSS", of: pid)
        let added = try await API.call(.POST, banks, body: API.json(["name": "large", "path": bank]))
        #expect(added.status == 201 && added.json?["entries"] as? Int == count, "\(added.text)")
        let loaded = try Self.memory("VmRSS", of: pid)
        // What one copy of the bank really takes in this process: index, tables and allocator slack.
        let oneBank = loaded - empty
        var afterReloads: [Int] = []
        for _ in 0..<12 {
            let reloaded = try await API.call(.POST, "\(banks)/large/reload")
            #expect(reloaded.status == 200, "\(reloaded.text)")
            #expect(reloaded.json?["entries"] as? Int == count, "\(reloaded.text)")
            afterReloads.append(try Self.memory("VmRSS", of: pid))
        }
        let peak = try Self.memory("VmHWM", of: pid)
        let summary = "resident empty \(empty >> 20) MiB, after loading \(loaded >> 20) MiB, after each reload \(afterReloads.map { $0 >> 20 }) MiB, peak \(peak >> 20) MiB, one bank \(oneBank >> 20) MiB"
        print("bank reload memory: \(summary)")
        // A reload holds two banks and the loader's scratch while the new one is built; once it is
        // swapped in, the old one goes. The allocator may keep part of a bank for the next load,
        // but reloads must not accumulate: a daemon that kept each old index would grow by a bank
        // per reload, 250 MiB over these twelve.
        for resident in afterReloads {
            #expect(resident < loaded + oneBank + oneBank / 2, "\(summary)")
        }
        let settled = afterReloads.prefix(4).max() ?? loaded
        #expect((afterReloads.suffix(4).max() ?? 0) <= settled + oneBank / 2, "\(summary)")
        #expect(peak < loaded + 2 * oneBank + oneBank / 2, "\(summary)")
        #expect(await daemon.terminate(timeout: 15) == 0)
    }
}
