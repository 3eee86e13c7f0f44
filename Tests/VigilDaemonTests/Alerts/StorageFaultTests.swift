import Foundation
import Synchronization
import Testing
import VigilAlerts
import VigilDaemon
import VigilHash
import VigilMedia
import VigilTestSupport

/// The must-show of storage faults: alerts flow while the state database cannot take them (its
/// filesystem full, or the database locked by another process for 20 s). The daemon keeps
/// watching, says so on `/healthz` and in metrics, keeps every alert it raised, and recovers by
/// itself; each alert reaches the webhook and the JSONL file under one id.
@Suite("Storage faults: a full disk, a locked database", .serialized)
struct StorageFaultTests {
    static let streams = (0..<6).map { "cam-\($0)" }

    /// A daemon on `state` watching six streams that show a still of the known clip once released.
    struct Rig {
        let daemon: TestDaemon
        let sources: StillSources
        let receiver: WebhookReceiver
        let jsonl: String

        static func start(state: URL, jsonl: String, scratch: URL) async throws -> Rig {
            let still = try SampleClips.firstKeyframe()
            let bank = scratch.appendingPathComponent("still.txt").path
            let hash = still.pixels.withUnsafeBufferPointer {
                PDQHasher(lumaPrecision: .single).hash(PixelView(base: $0.baseAddress!, width: still.width, height: still.height)).hash
            }
            try "\(hash.hex)\n".write(toFile: bank, atomically: true, encoding: .utf8)
            let receiver = WebhookReceiver()
            try await receiver.start()
            let sources = StillSources(still: still)
            let daemon = try await TestDaemon.start(stateDirectory: state, sources: sources) { config in
                config.banks = [BankSpec(name: "known", paths: [bank])]
                config.streams = streams.map { StreamSpec(id: $0, url: "rtmp://127.0.0.1/live/\($0)") }
                config.alerts.webhooks = [WebhookSpec(name: "hook", url: receiver.url, secret: "s")]
                config.alerts.jsonl = jsonl
                config.alerts.retry = RetryPolicy(initial: 0.05, multiplier: 2, maximum: 0.5)
            }
            return Rig(daemon: daemon, sources: sources, receiver: receiver, jsonl: jsonl)
        }

        /// Alert ids received by the webhook, per stream.
        func webhookIDs() throws -> [String: Set<String>] {
            var ids: [String: Set<String>] = [:]
            for request in receiver.received {
                let alert = try AlertCoding.decode(request.body)
                #expect(request.header("Idempotency-Key") == alert.id.rawValue)
                ids[alert.stream, default: []].insert(alert.id.rawValue)
            }
            return ids
        }

        /// Alert ids in the JSONL file, per stream; every line must be a whole alert.
        func jsonlIDs() throws -> [String: Set<String>] {
            let text = (try? String(contentsOfFile: jsonl, encoding: .utf8)) ?? ""
            #expect(text.isEmpty || text.hasSuffix("\n"))
            var ids: [String: Set<String>] = [:]
            for line in text.split(separator: "\n") {
                let alert = try AlertCoding.decode(Data(line.utf8))
                ids[alert.stream, default: []].insert(alert.id.rawValue)
            }
            return ids
        }

        func health() async throws -> String? {
            try await API.call(.GET, daemon.base + "/healthz", token: nil).json?["status"] as? String
        }

        func stop() async {
            await daemon.stop()
            await receiver.stop()
        }

        /// Every released stream has exactly one alert, under the same id at both sinks.
        func expectOneAlertEach(_ released: ArraySlice<String>) async throws {
            try await waitUntil(timeout: .seconds(60)) {
                let (hook, file) = (try webhookIDs(), try jsonlIDs())
                return released.allSatisfy { hook[$0]?.count == 1 && file[$0] == hook[$0] }
            }
            let (hook, file) = (try webhookIDs(), try jsonlIDs())
            for stream in released {
                #expect(hook[stream]?.count == 1, "\(stream): one alert id at the webhook, got \(hook[stream] ?? [])")
                #expect(file[stream] == hook[stream], "\(stream): the same id in the JSONL file")
            }
            #expect(Set(hook.keys).isSubset(of: Set(released)))
        }
    }

    @Test("state_dir on a filesystem that fills up while alerts flow: none lost, none twice under different ids, recovery when space returns",
          .timeLimit(.minutes(3)))
    func fullDisk() async throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let disk = try await TmpfsMount.mount(bytes: 24 << 20, under: scratch)
        let rig = try await Rig.start(
            state: URL(fileURLWithPath: disk.path + "/state"), jsonl: disk.path + "/alerts.jsonl", scratch: scratch)
        rig.sources.release(Self.streams[0..<2])
        try await rig.expectOneAlertEach(Self.streams[0..<2])

        try disk.fill()
        rig.sources.release(Self.streams[2..<5])
        try await waitUntil(timeout: .seconds(30)) { try await rig.health() == "degraded" }
        // The alerts raised meanwhile wait in the spool's reserved space.
        let spool = disk.path + "/state/alert-spool"
        try await waitUntil(timeout: .seconds(30)) {
            (try? FileHandle(forReadingFrom: URL(fileURLWithPath: spool)).read(upToCount: 4))?.contains { $0 != 0 } == true
        }
        let metrics = try await API.call(.GET, rig.daemon.base + "/metrics").text
        #expect(metrics.contains("vigil_storage_fault_events_total"))
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("vigil_storage_faults ") && !$0.hasSuffix(" 0") && !$0.hasSuffix(" 0.0") })
        // The streams are still watched.
        let streams = try await API.call(.GET, rig.daemon.base + "/v1/streams").json?["streams"] as? [[String: Any]] ?? []
        #expect(streams.count == Self.streams.count)

        disk.free()
        try await rig.expectOneAlertEach(Self.streams[0..<5])
        try await waitUntil(timeout: .seconds(30)) { try await rig.health() == "ok" }
        rig.sources.release(Self.streams[5...])
        try await rig.expectOneAlertEach(Self.streams[0...])
        await rig.stop()
        await disk.unmount()
    }

    @Test("the state database locked by another process for 20 s while alerts flow: none lost, recovery after",
          .timeLimit(.minutes(3)))
    func lockedDatabase() async throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let state = scratch.appendingPathComponent("state")
        let rig = try await Rig.start(state: state, jsonl: scratch.appendingPathComponent("alerts.jsonl").path, scratch: scratch)
        rig.sources.release(Self.streams[0..<2])
        try await rig.expectOneAlertEach(Self.streams[0..<2])

        // sqlite3 takes the write lock, says so through a file, holds it 20 s, then lets go.
        let locked = scratch.appendingPathComponent("locked").path
        let holder = Task {
            try await runProcess("sqlite3", [state.appendingPathComponent("vigil.sqlite").path], stdin: Data("""
                BEGIN EXCLUSIVE;
                .shell touch \(locked)
                .shell sleep 20
                COMMIT;

                """.utf8), timeout: 60)
        }
        try await waitUntil(timeout: .seconds(20)) { FileManager.default.fileExists(atPath: locked) }
        let lockedAt = ContinuousClock.now
        rig.sources.release(Self.streams[2..<5])
        try await waitUntil(timeout: .seconds(19)) { try await rig.health() == "degraded" }
        #expect(ContinuousClock.now - lockedAt < .seconds(20), "the fault showed while the lock was held")
        let holding = try await holder.value
        #expect(holding.status == 0, "sqlite3: \(holding.stderrText)")

        try await rig.expectOneAlertEach(Self.streams[0..<5])
        try await waitUntil(timeout: .seconds(30)) { try await rig.health() == "ok" }
        rig.sources.release(Self.streams[5...])
        try await rig.expectOneAlertEach(Self.streams[0...])
        await rig.stop()
    }
}

extension StorageFaultTests {
    @Test("a damaged state database (not a database, or a page overwritten) is set aside at start; watching goes on with a new one",
          .timeLimit(.minutes(2)))
    func damagedDatabase() async throws {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        for damage in ["garbage", "page"] {
            let state = scratch.appendingPathComponent("state-\(damage)")
            let database = state.appendingPathComponent("vigil.sqlite").path
            if damage == "garbage" {
                try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
                try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: database))
            } else {
                // A real state database, grown by a few pages, then its second page overwritten.
                let healthy = try await TestDaemon.start(stateDirectory: state)
                await healthy.stop()
                let grown = try await runProcess("sqlite3", [database, """
                    CREATE TABLE filler (x); INSERT INTO filler VALUES (randomblob(20000)); PRAGMA wal_checkpoint(TRUNCATE);
                    """], timeout: 10)
                #expect(grown.status == 0, "\(grown.stderrText)")
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: database))
                try handle.seek(toOffset: 4096)
                try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
                try handle.close()
            }
            let daemon = try await TestDaemon.start(stateDirectory: state)
            let health = try await API.call(.GET, daemon.base + "/healthz", token: nil).json
            #expect(health?["status"] as? String == "degraded", "\(damage)")
            let faults = health?["faults"] as? [[String: Any]] ?? []
            #expect(faults.contains { $0["component"] as? String == "state-database" }, "\(damage): \(faults)")
            let aside = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasPrefix("vigil.sqlite.corrupt-") }
            #expect(!aside.isEmpty, "\(damage): the damaged file is kept beside the new one")
            // The new database takes streams (and so alerts) as any does.
            let added = try await API.call(.POST, daemon.base + "/v1/streams", body: API.json(["id": "cam", "url": "rtmp://127.0.0.1/live/cam"]))
            #expect(added.status == 201, "\(damage): \(added.text)")
            await daemon.stop()
        }
    }
}

/// Sources that show one still picture every 200 ms, each stream once released.
final class StillSources: FrameSourceFactory {
    let still: Frame
    private let released = Mutex<Set<String>>([])

    init(still: Frame) {
        self.still = still
    }

    func release(_ streams: ArraySlice<String>) {
        released.withLock { $0.formUnion(streams) }
    }

    func isReleased(_ stream: String) -> Bool { released.withLock { $0.contains(stream) } }

    func makeSource(for stream: StreamSpec) -> any FrameSource { StillSource(stream: stream.id, sources: self) }
}

struct StillSource: FrameSource {
    let stream: String
    let sources: StillSources

    func run(_ emit: @escaping @Sendable (Frame) -> Void) async {
        var index = 0
        while !Task.isCancelled {
            if sources.isReleased(stream) {
                let still = sources.still
                emit(Frame(index: index, ptsSeconds: Double(index) * 0.2, isKeyframe: true, width: still.width, height: still.height,
                           pixels: still.pixels, format: still.format))
                index += 1
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    var status: SourceStatus { SourceStatus(state: .live) }
}
