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
        defer { knownSender.terminate() }
        let unrelatedSender = try startRealTimeSender(ScanCommandTests.unrelated, to: "udp://127.0.0.1:\(otherPort)?pkt_size=1316")
        defer { unrelatedSender.terminate() }

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
}
