import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import VigilDaemon
import VigilTestSupport

@Suite("systemd notifications (sd_notify over a Unix datagram socket)")
struct SystemdNotifierTests {
    private let logger = Logger(label: "systemd-notifier-test")

    @Test("NOTIFY_SOCKET: a path keeps its NUL, an @name becomes abstract, anything else is refused")
    func addresses() throws {
        let (_, pathLength) = try SystemdNotifier.address("/run/systemd/notify")
        #expect(Int(pathLength) == 2 + "/run/systemd/notify".utf8.count + 1)
        let (abstract, abstractLength) = try SystemdNotifier.address("@vigil/notify")
        #expect(Int(abstractLength) == 2 + "@vigil/notify".utf8.count)
        #expect(abstract.sun_path.0 == 0)
        #expect(abstract.sun_path.1 == CChar(UInt8(ascii: "v")))
        #expect(SystemdNotifier.maximumNameBytes == 107)
        _ = try SystemdNotifier.address("/" + String(repeating: "a", count: 106))
        for refused in ["", "@", "relative/notify", "vsock:2:1234", "/" + String(repeating: "a", count: 107), "/a\u{0}b"] {
            #expect(throws: SystemdNotifyError.self, "\(refused.debugDescription)") { try SystemdNotifier.address(refused) }
        }
    }

    @Test("WATCHDOG_USEC halves into the ping interval; a WATCHDOG_PID for another process turns it off")
    func watchdogEnvironment() throws {
        #expect(try SystemdWatchdog.from(environment: [:], pid: 42) == nil)
        #expect(try SystemdWatchdog.from(environment: ["WATCHDOG_USEC": "400000"], pid: 42)?.interval == .milliseconds(200))
        #expect(try SystemdWatchdog.from(environment: ["WATCHDOG_USEC": "400000", "WATCHDOG_PID": "42"], pid: 42) != nil)
        #expect(try SystemdWatchdog.from(environment: ["WATCHDOG_USEC": "400000", "WATCHDOG_PID": "43"], pid: 42) == nil)
        for bad in [["WATCHDOG_USEC": "soon"], ["WATCHDOG_USEC": "0"], ["WATCHDOG_USEC": "-5"], ["WATCHDOG_USEC": "1", "WATCHDOG_PID": "me"]] {
            #expect(throws: SystemdNotifyError.self, "\(bad)") { try SystemdWatchdog.from(environment: bad, pid: 42) }
        }
    }

    @Test("a datagram reaches a path socket and an abstract one; a socket that is not there is a logged false")
    func sends() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in [directory.appendingPathComponent("notify").path, "@vigil-test-\(UUID().uuidString.prefix(8))"] {
            let listener = try NotifySocketListener(name: name)
            defer { listener.stop() }
            let notifier = try SystemdNotifier(socket: name, logger: logger)
            #expect(notifier.ready(status: "watching"))
            #expect(notifier.reloading())
            try await waitUntil(timeout: .seconds(5)) { listener.messages.count == 2 }
            #expect(listener.messages[0] == "READY=1\nSTATUS=watching")
            #expect(listener.messages[1].hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        }
        let nowhere = try SystemdNotifier(socket: directory.appendingPathComponent("absent").path, logger: logger)
        #expect(!nowhere.send(["READY=1"]))
        #expect(SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "not-absolute"], logger: logger) == nil)
        #expect(SystemdNotifier.fromEnvironment([:], logger: logger) == nil)
        // A broken watchdog setting keeps the notifications.
        let kept = SystemdNotifier.fromEnvironment(["NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "soon"], logger: logger)
        #expect(kept != nil && kept?.watchdog == nil)
    }

    @Test("pings follow the daemon's clock while the probe answers; a stuck probe starves them but not the shutdown", .timeLimit(.minutes(1)))
    func stuckProbe() async throws {
        let name = "@vigil-test-\(UUID().uuidString.prefix(8))"
        let listener = try NotifySocketListener(name: name)
        defer { listener.stop() }
        let notifier = try SystemdNotifier(socket: name, watchdog: SystemdWatchdog(timeout: .seconds(20)), logger: logger)
        let clock = ManualClock()
        let stuck = Atomic<Bool>(false)
        let probes = Atomic<Int>(0)
        let service = SystemdNotifyService(notifier: notifier, clock: clock, ready: { "testing" }, probe: {
            probes.add(1, ordering: .relaxed)
            // Stuck: never answers (until the test ends and cancels everything).
            while stuck.load(ordering: .relaxed), !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        })
        let group = ServiceGroup(services: [service], logger: logger)
        let running = Task { try await group.run() }
        func pings() -> Int { listener.messages.filter { $0 == "WATCHDOG=1" }.count }
        try await waitUntil(timeout: .seconds(5)) { pings() == 1 && clock.sleepers == 1 }
        #expect(listener.messages.first == "READY=1\nSTATUS=testing")
        for expected in 2...4 {
            clock.advance(by: .seconds(10))
            try await waitUntil(timeout: .seconds(5)) { pings() == expected && clock.sleepers == 1 }
        }
        stuck.store(true, ordering: .relaxed)
        clock.advance(by: .seconds(10))
        try await waitUntil(timeout: .seconds(5)) { probes.load(ordering: .relaxed) == 4 }
        for _ in 0..<3 { clock.advance(by: .seconds(10)) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(pings() == 4, "a stuck probe must stop the pings")
        await group.triggerGracefulShutdown()
        try await running.value
        try await waitUntil(timeout: .seconds(5)) { listener.messages.last == "STOPPING=1\nSTATUS=draining" }
    }
}
