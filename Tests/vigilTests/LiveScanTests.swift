import Foundation
import Testing
import VigilTestSupport

/// `vigil scan URL --max-duration` on a live source: the known clip sent by `ffmpeg -re` as
/// MPEG-TS over UDP on loopback.
@Suite("vigil scan: live sources", .serialized)
struct LiveScanTests {
    @Test("a live UDP stream of the known clip matches within --max-duration; an unrelated one does not",
          .timeLimit(.minutes(3)))
    func liveUDPStream() async throws {
        let (directory, bank) = try await ScanCommandTests.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort(udp: true)
        let otherPort = try freeLoopbackPort(udp: true)
        let knownSender = try startRealTimeSender(ScanCommandTests.known, to: "udp://127.0.0.1:\(port)?pkt_size=1316")
        defer { stopRealTimeSender(knownSender) }
        let unrelatedSender = try startRealTimeSender(ScanCommandTests.unrelated, to: "udp://127.0.0.1:\(otherPort)?pkt_size=1316")
        defer { stopRealTimeSender(unrelatedSender) }

        // Both scans at once: each waits on a real-time stream, not on the CPU.
        async let knownScan = VigilBinary.run(["scan", "--json", "--max-duration", "10s", "udp://127.0.0.1:\(port)", "--bank", bank],
                                              timeout: 50)
        async let unrelatedScan = VigilBinary.run(["scan", "--json", "--max-duration", "10s", "udp://127.0.0.1:\(otherPort)", "--bank", bank],
                                                  timeout: 50)
        let (known, unrelated) = try await (knownScan, unrelatedScan)
        #expect(known.status == 1, "\(known.stdoutText)\(known.stderrText)")
        let verdict = try #require(try ScanCommandTests.jsonLines(known.stdoutText).last)
        #expect(verdict["matched"] as? Bool == true)
        #expect((verdict["frames_hashed"] as? Int ?? 0) >= 2)
        #expect(unrelated.status == 0, "\(unrelated.stdoutText)\(unrelated.stderrText)")
    }

    @Test("an unsupported scheme is refused with a clear message")
    func unsupportedScheme() async throws {
        let (directory, bank) = try await ScanCommandTests.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await VigilBinary.run(["scan", "gopher://127.0.0.1/x", "--bank", bank], timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderrText.contains("gopher://127.0.0.1/x"), "\(result.stderrText)")
    }

    @Test("an ended playlist whose only segment is a local file: exit 2 within 10 s, naming the refused URL")
    func playlistNamingAFile() async throws {
        let (directory, bank) = try await ScanCommandTests.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:2
            #EXT-X-PLAYLIST-TYPE:VOD
            #EXTINF:2.0,
            file:///etc/passwd
            #EXT-X-ENDLIST

            """.write(to: folder.appendingPathComponent("list.m3u8"), atomically: true, encoding: .utf8)
        let server = try await StaticFileServer(serving: folder)
        defer { server.stop() }
        let started = Date()
        let result = try await VigilBinary.run(["scan", server.url("list.m3u8"), "--bank", bank], timeout: 30)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 2, "\(result.stdoutText)\(result.stderrText)")
        #expect(elapsed < 10, "took \(elapsed) s")
        #expect(result.stderrText.contains("file:///etc/passwd"), "\(result.stderrText)")
        #expect(result.stderrText.contains(server.url("list.m3u8")), "\(result.stderrText)")
    }

    @Test("--max-duration bounds the wall-clock time when no media arrives; each failed attempt is told on stderr")
    func noMediaArrives() async throws {
        let (directory, bank) = try await ScanCommandTests.makeBank()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try freeLoopbackPort(udp: true)
        let started = Date()
        let result = try await VigilBinary.run(["scan", "--max-duration", "3s", "udp://127.0.0.1:\(port)", "--bank", bank], timeout: 60)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 2, "\(result.stdoutText)\(result.stderrText)")
        // 3 s of media, plus the 5 s to open and 5 s to probe a UDP source, plus the process's own
        // start and exit: on a loaded 2-core runner a debug build has needed 3.6 s for those. An
        // unbounded wait would run into the 60 s timeout, far past this.
        #expect(elapsed < 3 + 10 + 8, "took \(elapsed) s")
        let lines = result.stderrText.split(separator: "\n")
        #expect(lines.contains { $0.contains("timed out") && $0.contains("trying again") }, "\(result.stderrText)")
        #expect(lines.last?.contains("udp://127.0.0.1:\(port)") == true, "\(result.stderrText)")
        #expect(lines.last?.contains("cancelled") == false, "the reason, not a bare cancellation: \(result.stderrText)")
    }
}

