import Foundation
import Testing
import VigilMedia
@testable import VigilDaemon

@Suite("Stream health watch")
struct StreamHealthWatchTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let url = "udp://127.0.0.1:5000"

    func at(_ seconds: Double) -> Date { start.addingTimeInterval(seconds) }

    func observe(lastFrame: Double? = nil, fault: MediaError? = nil, faultAt: Double = 0, counters: StreamCounters = StreamCounters())
        -> StreamHealthWatch.Observation
    {
        StreamHealthWatch.Observation(
            lastFrameAt: lastFrame.map(at), lastFault: fault.map { SourceFault(error: $0, at: at(faultAt)) }, counters: counters)
    }

    @Test("a source that answers with pictures over the limits is reported once after unwatchable_after, and recovered at the next sample")
    func unwatchableThenRecovered() {
        var watch = StreamHealthWatch(unwatchableAfter: 30, start: start)
        let oversize = MediaError.dimensionsTooLarge(url: url, width: 8200, height: 64, limit: 8192)
        #expect(watch.check(observe(lastFrame: 5), now: at(5)) == nil)
        #expect(watch.check(observe(lastFrame: 5, fault: oversize, faultAt: 6), now: at(20)) == nil)
        #expect(watch.check(observe(lastFrame: 5, fault: oversize, faultAt: 6), now: at(34.9)) == nil)
        let reason = "picture size 8200x64 exceeds the limit of 8192 pixels per side"
        #expect(watch.check(observe(lastFrame: 5, fault: oversize, faultAt: 30), now: at(35)) == .unwatchable(since: at(5), reason: reason))
        #expect(watch.isUnwatchable)
        // Reported once, however long it lasts.
        #expect(watch.check(observe(lastFrame: 5, fault: oversize, faultAt: 60), now: at(70)) == nil)
        #expect(watch.check(observe(lastFrame: 71, fault: oversize, faultAt: 60), now: at(72)) == .recovered(at: at(71), reason: reason))
        #expect(!watch.isUnwatchable)
        #expect(watch.check(observe(lastFrame: 73), now: at(74)) == nil)
    }

    @Test("a source that cannot be reached, or whose latest word is that it is gone, raises nothing: the stream is off, not evading")
    func unreachableIsQuiet() {
        var watch = StreamHealthWatch(unwatchableAfter: 30, start: start)
        let refused = MediaError.openFailed(url: url, reason: "Connection refused")
        #expect(watch.check(observe(fault: refused, faultAt: 10), now: at(100)) == nil)
        #expect(watch.check(observe(fault: .timedOut(url: url, operation: "opening", seconds: 10), faultAt: 110), now: at(120)) == nil)
        // Content faults that stopped: the source went away afterwards.
        let codec = MediaError.unsupportedCodec(url: url, codec: "prores")
        var later = StreamHealthWatch(unwatchableAfter: 30, start: start)
        #expect(later.check(observe(fault: codec, faultAt: 5), now: at(10)) == nil)
        #expect(later.check(observe(fault: refused, faultAt: 29), now: at(31)) == nil)
        #expect(later.check(observe(fault: codec, faultAt: 40), now: at(41)) == .unwatchable(since: start, reason: "unsupported video codec prores"))
    }

    @Test("garbage bytes (FFmpeg's invalid data) count as a source that answers")
    func invalidData() {
        var watch = StreamHealthWatch(unwatchableAfter: 3, start: start)
        let garbage = MediaError.openFailed(url: url, reason: "Invalid data found when processing input")
        #expect(watch.check(observe(fault: garbage, faultAt: 1), now: at(3)) != nil)
    }

    @Test("packets skipped over the size limit or rejected by the decoder, with no error, still make a stream unwatchable")
    func skippedPackets() {
        var watch = StreamHealthWatch(unwatchableAfter: 10, start: start)
        var counters = StreamCounters()
        #expect(watch.check(observe(lastFrame: 1, counters: counters), now: at(1)) == nil)
        #expect(watch.check(observe(lastFrame: 1, counters: counters), now: at(20)) == nil, "no fault, nothing skipped: a quiet source")
        counters.oversizedPackets = 4
        #expect(watch.check(observe(lastFrame: 1, counters: counters), now: at(21))
            == .unwatchable(since: at(1), reason: "4 packet(s) over the size limit skipped, no picture sampled"))

        var decoding = StreamHealthWatch(unwatchableAfter: 10, start: start)
        var errors = StreamCounters()
        errors.decodeErrors = 2
        #expect(decoding.check(observe(counters: errors), now: at(11))
            == .unwatchable(since: start, reason: "2 packet(s) the decoder rejected, no picture sampled"))
    }

    @Test("an unchanging picture dropped as a near-duplicate is still watched")
    func nearDuplicatesAreWatched() {
        var watch = StreamHealthWatch(unwatchableAfter: 10, start: start)
        var counters = StreamCounters()
        counters.decodeErrors = 1
        for second in stride(from: 1.0, through: 60, by: 1) {
            counters.nearDuplicatesDropped += 1
            #expect(watch.check(observe(lastFrame: 0.5, counters: counters), now: at(second)) == nil)
        }
    }
}
