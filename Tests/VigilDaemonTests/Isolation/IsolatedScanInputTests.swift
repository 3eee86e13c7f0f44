import Foundation
import Testing
import VigilDetect
import VigilMedia
import VigilTestSupport
@testable import VigilDaemon

/// The daemon's side of a scan job's ingest child, against a stand-in child (a Python script run
/// as `ingest.executable`) that behaves as a subverted one would: the real child cannot be made to
/// misbehave, and what the daemon does then is what matters.
@Suite("Scan job children that misbehave", .serialized)
struct IsolatedScanInputTests {
    /// Reads the configuration line, then acts as its `--stream` label says.
    static let script = #"""
        #!/usr/bin/env python3
        import json, struct, sys, time
        label = sys.argv[sys.argv.index("--stream") + 1]
        config = json.loads(sys.stdin.readline())
        out = sys.stdout.buffer
        def message(kind, payload):
            out.write(bytes([kind]) + struct.pack(">I", len(payload)) + payload)
            out.flush()
        def frame(index, width=64, height=64, pixels=None):
            header = json.dumps({"index": index, "ptsSeconds": float(index), "isKeyframe": True, "width": width,
                                 "height": height, "format": "luma8", "observedAt": 0}).encode()
            body = bytes(width * height) if pixels is None else pixels
            message(1, struct.pack(">I", len(header)) + header + body)
        def opened():
            message(3, json.dumps({"url": config["input"], "width": 64, "height": 64, "codecName": "h264",
                                   "isStillImage": False}).encode())
        if label == "honest":
            opened()
            for index in range(3):
                frame(index)
                assert sys.stdin.readline() == "ack\n"
            message(4, b'{"error": null}')
        elif label == "flood":
            opened()
            for index in range(10):
                frame(index)
        elif label == "garbage":
            out.write(b"\x09not the protocol")
            out.flush()
        elif label == "short-pixels":
            opened()
            frame(0, pixels=bytes(10))
        elif label == "huge":
            opened()
            frame(0, width=100000, height=100000, pixels=b"")
        elif label == "exits":
            opened()
            frame(0)
            sys.exit(0)
        time.sleep(60)
        """#

    static func reader(_ label: String, in directory: URL) throws -> IsolatedScanInput {
        let path = directory.appendingPathComponent("fake-ingest").path
        if !FileManager.default.fileExists(atPath: path) {
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        let scanner = InputScanner(matchers: [], jobs: 1)
        return try IsolatedScanInput(
            input: "/uploads/\(label).mp4", scanner: scanner, settings: .init(executable: path, memoryLimit: 1 << 30), label: label)
    }

    /// Takes every frame, acknowledging each unless told not to (a consumer still hashing them);
    /// returns how many came and the error that ended them.
    static func drain(_ reader: IsolatedScanInput, acknowledging: Bool = true) async -> (frames: Int, error: (any Error)?) {
        var frames = 0
        do {
            _ = try await reader.opened()
            for try await _ in reader.frames {
                frames += 1
                if acknowledging { reader.acknowledge() }
            }
            return (frames, nil)
        } catch {
            return (frames, error)
        }
    }

    @Test("a child that keeps to the protocol: its description and every frame arrive, and the reading ends cleanly")
    func honest() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try Self.reader("honest", in: directory)
        defer { reader.stop() }
        let (frames, error) = await Self.drain(reader)
        #expect(error == nil, "\(String(describing: error))")
        #expect(frames == 3)
        #expect(reader.info?.width == 64 && reader.info?.url == "/uploads/honest.mp4")
    }

    @Test("a child that breaks the protocol fails the job with what it did, naming the input", arguments: [
        ("flood", "frames without waiting for them to be taken"),
        ("garbage", "unknown message kind 9"),
        ("short-pixels", "carries 10 bytes of pixels"),
        ("huge", "outside the picture limits"),
        ("exits", "exited with status 0 before the end"),
    ])
    func misbehaves(label: String, expected: String) async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try Self.reader(label, in: directory)
        defer { reader.stop() }
        let started = ContinuousClock.now
        // The flood is caught while the frames it sent are still being hashed.
        let (frames, error) = await Self.drain(reader, acknowledging: label != "flood")
        let message = "\(String(describing: error))"
        #expect(message.contains(expected), "\(label): \(message)")
        #expect(message.contains("/uploads/\(label).mp4"), "\(label): \(message)")
        // Never more frames than the window lets through, and no waiting for the child's sleep.
        #expect(frames <= ScanChild.window, "\(label): \(frames) frames")
        #expect(ContinuousClock.now - started < .seconds(20), "\(label)")
    }

    @Test("stopping a job whose child says nothing ends the wait for its input at once, and the child")
    func stopWhileSilent() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reader = try Self.reader("silent", in: directory)
        let waiting = Task { try await reader.opened() }
        try await Task.sleep(for: .milliseconds(300))
        let started = ContinuousClock.now
        waiting.cancel()
        let result = await waiting.result
        #expect(ContinuousClock.now - started < .seconds(5))
        guard case .failure(let error) = result else {
            Issue.record("the wait ended with an input")
            return
        }
        #expect("\(error)".contains("cancelled"), "\(error)")
        try await waitUntil(timeout: .seconds(5)) {
            let listed = try await runProcess("pgrep", ["-f", "fake-ingest ingest --scan --stream silent"], timeout: 5)
            return listed.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
    }
}
