import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

/// `vigil serve` reading live streams through ingest child processes, with the built binary.
@Suite("Ingest isolation with the built binary", .serialized)
struct IngestIsolationTests {
    static let token = "isolation-test-token-0123456789"

    @Test("the decoder child of one of 10 live streams crashes: the other 9 miss no key frame, the crashed one resumes, the API answers throughout",
          .timeLimit(.minutes(3)))
    func crashCostsOneStream() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let apiPort = try freeLoopbackPort()
        let ports = try (0..<10).map { _ in try freeLoopbackPort(udp: true) }
        let marker = directory.appendingPathComponent("crashed").path
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(apiPort)
            api_token: \(Self.token)
            state_dir: \(directory.appendingPathComponent("state").path)
            streams:
            \(ports.enumerated().map { "  - {id: s\($0.offset), url: \"udp://127.0.0.1:\($0.element)\"}" }.joined(separator: "\n"))
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // A debug build's test-only fault: the child reading s3 aborts after its 4th frame, once.
        let daemon = try DaemonProcess(
            executable: executable, config: config, log: directory.appendingPathComponent("serve.log"),
            environment: ["VIGIL_TEST_INGEST_CRASH": "s3:4:\(marker)"])
        let base = "http://127.0.0.1:\(apiPort)"
        try await waitUntil(timeout: .seconds(20)) { (try? await API.call(.GET, base + "/healthz"))?.status == 200 }
        // Every child reads its stream; the senders play each clip once (12 s, a key frame every 2 s).
        let senders = try ports.enumerated().map { index, port in
            try startRealTimeSender(index % 2 == 0 ? SampleClips.known : SampleClips.unrelated, to: "udp://127.0.0.1:\(port)?pkt_size=1316", seconds: 30)
        }
        defer { for sender in senders { stopRealTimeSender(sender) } }

        // The API answers all along, and the crash happens meanwhile.
        var slowest = Duration.zero
        let deadline = ContinuousClock.now + .seconds(24)
        while ContinuousClock.now < deadline {
            let started = ContinuousClock.now
            let answer = try? await API.call(.GET, base + "/healthz")
            #expect(answer?.status == 200, "the API stopped answering")
            slowest = max(slowest, ContinuousClock.now - started)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the injected crash happened")
        #expect(slowest < .seconds(1), "slowest API answer: \(slowest)")

        let streams = try await API.call(.GET, base + "/v1/streams", token: Self.token).json?["streams"] as? [[String: Any]] ?? []
        #expect(streams.count == 10)
        let byID = Dictionary(uniqueKeysWithValues: streams.map { ($0["id"] as? String ?? "", $0) })
        let crashed = try #require(byID["s3"])
        #expect((crashed["reconnects"] as? Int ?? 0) >= 1, "\(crashed)")
        #expect((crashed["frames_in"] as? Int ?? 0) > 4, "the crashed stream resumed after its 4th frame: \(crashed)")
        let others = streams.filter { $0["id"] as? String != "s3" }
        let counts = others.map { $0["frames_in"] as? Int ?? 0 }
        for stream in others {
            #expect(stream["reconnects"] as? Int == 0, "\(stream)")
            #expect(stream["frames_dropped"] as? Int == 0, "\(stream)")
            #expect(stream["state"] as? String == "live", "\(stream)")
        }
        // 24 s of a 30 s loop of 12 s clips with 2 s GOPs: every stream that missed nothing has
        // the same key frames (one more or less for when its sender started).
        #expect(counts.max()! - counts.min()! <= 1, "key frames per stream: \(counts)")
        #expect(counts.min()! >= 9, "key frames per stream: \(counts)")
        let log = try String(contentsOf: daemon.log, encoding: .utf8)
        #expect(log.contains("ingest process ended; restarting"))
        // One child a stream, named by the stream's id: its URL stays off the process list.
        let children = "ingest --stream s[0-9]+ --daemon \(daemon.process.processIdentifier)$"
        let running = try await runProcess("pgrep", ["-f", children], timeout: 5).stdoutText
        #expect(running.split(separator: "\n").count == ports.count, "children: \(running)")
        let listed = try await runProcess("pgrep", ["-a", "-f", "vigil ingest"], timeout: 5).stdoutText
        #expect(!listed.contains("udp://"), "\(listed)")
        #expect(await daemon.terminate(timeout: 15) == 0)
        // No child outlives the daemon.
        try await waitUntil(timeout: .seconds(5)) {
            let children = (try? await runProcess("pgrep", ["-f", children], timeout: 5))?.stdoutText ?? ""
            return children.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
    }

    @Test("isolated streams share the daemon's memory budget, each reserved for the decoding mode its child reports: a child whose pictures do not fit is stopped and retried, the others are read",
          .timeLimit(.minutes(2)))
    func sharedMemoryBudget() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ports = try (0..<4).map { _ in try freeLoopbackPort(udp: true) }
        // The sample clip (640x360, a key frame every 2 s) is estimated at 25.3 MB while every
        // picture is decoded, 20.1 MB while key frames alone are: room for three streams decoding
        // key frames, as the children report they do, where the worst case would admit two.
        let (daemon, base) = try await Self.startWith64MiBBudget(
            executable: executable, directory: directory, streams: ports.enumerated().map { ("s\($0.offset)", $0.element) })
        let senders = try ports.map { port in
            try startRealTimeSender(SampleClips.known, to: "udp://127.0.0.1:\(port)?pkt_size=1316", seconds: 30)
        }
        defer { for sender in senders { stopRealTimeSender(sender) } }
        var streams: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(30)) {
            streams = try await API.call(.GET, base + "/v1/streams", token: Self.token).json?["streams"] as? [[String: Any]] ?? []
            let read = streams.filter { ($0["frames_in"] as? Int ?? 0) >= 3 }
            let refused = streams.filter { ($0["detail"] as? String ?? "").contains("shared by all streams") && ($0["reconnects"] as? Int ?? 0) >= 1 }
            return read.count == 3 && refused.count == 1
        }
        #expect(streams.contains { $0["frames_in"] as? Int == 0 }, "the refused stream's pictures are never used: \(streams)")
        #expect(await daemon.terminate(timeout: 15) == 0)
    }

    @Test("a child that starts decoding every picture (its key frames stopped) moves its reservation to that mode, and is stopped when that does not fit; the other stream is read throughout",
          .timeLimit(.minutes(2)))
    func decodingModeSwitchReserved() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 1280x720 is estimated at 30.1 MB while key frames alone are decoded and 50.9 MB while
        // every picture is: two streams reading key frames fit in 64 MiB (67.1 MB), and one of
        // them decoding everything beside the other does not. The second clip has a key frame
        // every 10 s, so its child falls back to decoding every picture 4 s after each.
        let regular = directory.appendingPathComponent("regular.ts").path
        let sparse = directory.appendingPathComponent("sparse.ts").path
        for (clip, gop) in [(regular, 50), (sparse, 250)] {
            let encoded = try await runProcess("/usr/bin/env", [
                "ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "20",
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "\(gop)", "-keyint_min", "\(gop)", "-sc_threshold", "0",
                "-pix_fmt", "yuv420p", "-f", "mpegts", clip,
            ], timeout: 60)
            try #require(encoded.status == 0, "ffmpeg could not make the test clip: \(encoded.stderrText)")
        }
        let ports = try (0..<2).map { _ in try freeLoopbackPort(udp: true) }
        let (daemon, base) = try await Self.startWith64MiBBudget(
            executable: executable, directory: directory, streams: [("regular", ports[0]), ("sparse", ports[1])])
        let senders = try [(regular, ports[0]), (sparse, ports[1])].map { clip, port in
            try startRealTimeSender(clip, to: "udp://127.0.0.1:\(port)?pkt_size=1316", seconds: 60)
        }
        defer { for sender in senders { stopRealTimeSender(sender) } }
        var streams: [String: [String: Any]] = [:]
        try await waitUntil(timeout: .seconds(40)) {
            let listed = try await API.call(.GET, base + "/v1/streams", token: Self.token).json?["streams"] as? [[String: Any]] ?? []
            streams = Dictionary(listed.compactMap { stream in (stream["id"] as? String).map { ($0, stream) } }) { first, _ in first }
            let sparseStopped = (streams["sparse"]?["detail"] as? String ?? "").contains("shared by all streams")
                && (streams["sparse"]?["reconnects"] as? Int ?? 0) >= 1
            return sparseStopped && (streams["regular"]?["frames_in"] as? Int ?? 0) >= 5
        }
        // Admitted while it read key frames: its pictures were used until it switched.
        #expect((streams["sparse"]?["frames_in"] as? Int ?? 0) >= 1, "\(streams)")
        #expect((streams["regular"]?["reconnects"] as? Int ?? -1) == 0, "\(streams)")
        #expect(await daemon.terminate(timeout: 15) == 0)
    }

    /// `vigil serve` watching UDP streams `(id, port)` under a 64 MiB memory budget, answering;
    /// with its API's base URL.
    static func startWith64MiBBudget(
        executable: String, directory: URL, streams: [(id: String, port: Int)]
    ) async throws -> (DaemonProcess, String) {
        let apiPort = try freeLoopbackPort()
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(apiPort)
            api_token: \(token)
            state_dir: \(directory.appendingPathComponent("state").path)
            limits: {memory: 64MiB}
            streams:
            \(streams.map { "  - {id: \($0.id), url: \"udp://127.0.0.1:\($0.port)\"}" }.joined(separator: "\n"))
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("serve.log"))
        let base = "http://127.0.0.1:\(apiPort)"
        try await waitUntil(timeout: .seconds(20)) { (try? await API.call(.GET, base + "/healthz"))?.status == 200 }
        return (daemon, base)
    }
}
