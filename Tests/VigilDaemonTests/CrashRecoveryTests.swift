import Foundation
import Synchronization
import Testing
import VigilAlerts
import VigilTestSupport

/// The built `vigil` executable, next to the test bundle (or VIGIL_BINARY).
enum VigilExecutable {
    /// Its path; throws when it is missing, so a test that needs it fails rather than passing unrun.
    static func path() throws -> String {
        if let configured = ProcessInfo.processInfo.environment["VIGIL_BINARY"] {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw SubprocessError(description: "VIGIL_BINARY=\(configured) is not an executable")
            }
            return configured
        }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDirectory.appendingPathComponent("vigil").path]
        // Swift Testing may run from inside the .xctest bundle's folder.
        candidates.append(bundleDirectory.deletingLastPathComponent().appendingPathComponent("vigil").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SubprocessError(description: "the vigil executable was not found next to the tests (build it, or set VIGIL_BINARY)")
        }
        return found
    }
}

/// A `vigil serve` child process, killed when the test ends whatever happens.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let log: URL

    init(executable: String, config: String, log: URL, environment: [String: String] = [:]) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate(timeout: TimeInterval) async -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill9(); return nil }
        return process.terminationStatus
    }

    deinit { kill9() }
}

@Suite("Crash recovery with the built binary", .serialized)
struct CrashRecoveryTests {
    @Test("kill -9 with undelivered alerts in the outbox, then a restart: all delivered", .timeLimit(.minutes(2)))
    func killNine() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        let bank = try await SampleClips.knownBank(in: directory)
        // The receiver's port is reserved now but nothing listens until after the crash.
        let receiver = WebhookReceiver()
        try await receiver.start()
        let hookPort = receiver.port
        await receiver.stop()
        let state = directory.appendingPathComponent("state").path
        let config = directory.appendingPathComponent("vigil.yml").path
        // Two copies of the known clip: two incidents, so two alerts wait in the outbox.
        try """
            listen: 127.0.0.1:0
            api_token: ${T}
            state_dir: \(state)
            log: {format: json, level: info}
            banks:
              - {name: known, path: \(bank)}
            streams:
              - {id: first, url: \(SampleClips.known)}
              - {id: second, url: \(SampleClips.known)}
            alerts:
              retry: {initial: 100ms, max: 500ms}
              webhooks:
                - {name: hook, url: "http://127.0.0.1:\(hookPort)/hook", secret: crash-secret, timeout: 1s}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        setenv("T", "crash-test-token-0123456789", 1)

        let first = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("first.log"))
        // Wait until both alerts are committed and the first has failed at least once (the second
        // waits behind it: per-sink order).
        let database = directory.appendingPathComponent("state/vigil.sqlite").path
        try await waitUntil(timeout: .seconds(30)) {
            let query = "SELECT COUNT(*), MAX(attempts) FROM vigil_deliveries WHERE state = 'pending'"
            let row = await (try? runProcess("sqlite3", [database, query], timeout: 10))?.stdoutText ?? ""
            return row.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }.first == 2
                && !row.hasSuffix("|0\n") && row.contains("|")
        }
        first.kill9()
        #expect(first.process.terminationReason == .uncaughtSignal)
        let undelivered = await Set(try runProcess("sqlite3", [database, "SELECT alert_id FROM vigil_deliveries WHERE state = 'pending'"], timeout: 10)
            .stdoutText.split(separator: "\n").map(String.init))
        #expect(undelivered.count == 2)

        try await receiver.start(port: hookPort)
        let second = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("second.log"))
        // The restarted daemon replays the clips and raises new alerts too; what matters is that
        // the two left in the outbox by the killed process arrive.
        try await waitUntil(timeout: .seconds(20)) {
            undelivered.isSubset(of: Set(receiver.received.compactMap { $0.header("Idempotency-Key") }))
        }
        let requests = receiver.received
        for request in requests {
            let alert = try AlertCoding.decode(request.body)
            #expect(["first", "second"].contains(alert.stream))
            let timestamp = try #require(request.header("X-Vigil-Timestamp").flatMap(Int.init))
            #expect(WebhookSignature.verify(body: request.body, timestamp: timestamp, secret: "crash-secret",
                                            signature: request.header("X-Vigil-Signature") ?? ""))
        }
        // SIGTERM drains and exits cleanly.
        #expect(await second.terminate(timeout: 15) == 0)
        await receiver.stop()
    }
}

@Suite("A crash between a receiver's acknowledgement and its recording", .serialized)
struct AcknowledgedCrashTests {
    /// Holds the state database's write lock from another process (sqlite3) until closed.
    final class DatabaseLock: @unchecked Sendable {
        let process = Process()
        let input = Pipe()

        init(database: String, flag: String) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sqlite3", database]
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            input.fileHandleForWriting.write(Data("BEGIN EXCLUSIVE;\n.shell touch \(flag)\n".utf8))
        }

        /// Ends sqlite3, which rolls back and lets go of the lock.
        func release() {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
    }

    /// The lock, taken once.
    final class LockOnFirstRequest: Sendable {
        private let held = Mutex<DatabaseLock?>(nil)

        func take(_ make: () -> DatabaseLock?) {
            held.withLock { if $0 == nil { $0 = make() } }
        }

        func release() {
            held.withLock { $0?.release() }
        }
    }

    @Test("kill -9 after the receiver's 200 but before it is recorded: after restart the alert goes again under the same idempotency key",
          .timeLimit(.minutes(2)))
    func killBetweenAcknowledgementAndRecording() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bank = try await SampleClips.knownBank(in: directory)
        let clip = directory.appendingPathComponent("known.mp4").path
        try FileManager.default.copyItem(atPath: SampleClips.known, toPath: clip)
        let state = directory.appendingPathComponent("state").path
        let database = state + "/vigil.sqlite"
        let flag = directory.appendingPathComponent("locked").path
        // The receiver takes the database's lock before it answers its first request: the
        // daemon gets the 200 and then cannot record it.
        let lock = LockOnFirstRequest()
        let receiver = WebhookReceiver { _ in
            lock.take { try? DatabaseLock(database: database, flag: flag) }
            let deadline = Date().addingTimeInterval(10)
            while !FileManager.default.fileExists(atPath: flag), Date() < deadline { usleep(10_000) }
            return .ok
        }
        try await receiver.start()
        defer { Task { await receiver.stop() } }
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:0
            api_token: acknowledged-crash-token-0123
            state_dir: \(state)
            log: {format: json, level: info}
            banks:
              - {name: known, path: \(bank)}
            streams:
              - {id: clip, url: \(clip)}
            alerts:
              retry: {initial: 100ms, max: 500ms}
              webhooks:
                - {name: hook, url: "\(receiver.url)", secret: s, timeout: 5s}
            """.write(toFile: config, atomically: true, encoding: .utf8)

        let first = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("first.log"))
        // The recording waits out the database's busy timeout, fails, and is retried as a write.
        try await waitUntil(timeout: .seconds(60)) {
            let log = (try? String(contentsOf: first.log, encoding: .utf8)) ?? ""
            guard first.process.isRunning else { throw SubprocessError(description: "vigil serve exited: \(log)") }
            return log.contains("cannot record in the outbox")
        }
        first.kill9()
        lock.release()
        let acknowledged = try #require(receiver.received.first)
        let key = try #require(acknowledged.header("Idempotency-Key"))
        let pending = try await runProcess("sqlite3", [database, "SELECT alert_id, state FROM vigil_deliveries"], timeout: 10).stdoutText
        #expect(pending == "\(key)|pending\n", "the acknowledged delivery was not recorded before the crash")

        // Restarted without the clip (so that nothing raises a new incident), it sends the alert
        // again under the same key and records it.
        try FileManager.default.removeItem(atPath: clip)
        let second = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("second.log"))
        try await waitUntil(timeout: .seconds(30)) {
            let row = await (try? runProcess("sqlite3", [database, "SELECT state FROM vigil_deliveries WHERE alert_id = '\(key)'"], timeout: 10))
            return row?.stdoutText == "delivered\n"
        }
        let matches = try receiver.received.filter { try AlertCoding.decode($0.body).match != nil }
        #expect(matches.count >= 2)
        #expect(Set(matches.map { $0.header("Idempotency-Key") }) == [key])
        #expect(Set(try matches.map { try AlertCoding.decode($0.body).id.rawValue }) == [key])
        #expect(await second.terminate(timeout: 15) == 0)
    }
}
