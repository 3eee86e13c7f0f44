import Foundation
import Logging
import Testing
import VigilAlerts
import VigilDaemon
import VigilDetect
import VigilHash
import VigilMatch
import VigilTestSupport

@Suite("Alert pipeline")
struct AlertPipelineTests {
    @Test("incident updates reach the outbox on the pipeline's clock, not before", .timeLimit(.minutes(1)))
    func updatesFlushOnTheClock() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hub = DeliveryHub(outbox: try Outbox(path: directory.appendingPathComponent("state.sqlite").path), sinks: [])
        let clock = ManualClock()
        let pipeline = AlertPipeline(settings: .init(), hub: hub, metrics: DaemonMetrics(), logger: Logger(label: "test"), clock: clock)
        let running = Task { await pipeline.run() }

        let picture = PDQHash(words: (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210, 0x0F0F_0F0F_F0F0_F0F0, 0x3333_CCCC_5555_AAAA))
        let matcher = BankMatcher(bank: Bank(name: "known", entries: [
            BankEntry(hash: picture, ids: ["still-1"], sources: [SourceLocation(file: "known.csv", line: 2)]),
        ]))
        func observe(_ index: Int) async {
            let frame = HashedFrame(index: index, ptsSeconds: Double(index), isKeyframe: true, hash: picture, quality: 90)
            let sample = StreamSample(stream: "cam", source: "rtmp://127.0.0.1/live/cam", observedAt: Date(), frame: frame)
            await pipeline.observe(sample, matches: FrameMatches(frame, matchers: [matcher]))
        }
        func stored() async throws -> [StoredAlert] { try await hub.outbox.alerts(after: nil, limit: 1000) }

        await observe(0)
        try await waitUntil(timeout: .seconds(10)) { try await stored().count == 1 }
        await observe(1)
        await observe(2)
        // The timer is asleep on the manual clock: nothing is flushed until it moves.
        try await waitUntil(timeout: .seconds(10)) { clock.sleepers == 1 }
        #expect(try await stored().first?.alert.match?.framesMatched == 1)
        clock.advance(by: .seconds(1))
        try await waitUntil(timeout: .seconds(10)) { try await stored().first?.alert.match?.framesMatched == 3 }
        #expect(try await stored().count == 1)

        // Finishing ends the timer too: no tick is needed to stop.
        await pipeline.finish()
        await running.value
    }
}
