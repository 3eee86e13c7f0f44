import Testing
import VigilMedia

@Suite("Stream counters")
struct StreamCountersTests {
    @Test("counts of two sessions add up field by field; refused URLs keep the latest 16; the decoding mode is the later one's")
    func adding() {
        var first = StreamCounters()
        first.packets = 10
        first.reconnects = 1
        first.oversizedPictures = 2
        first.refusedURLs = (0..<10).map { "file:///a\($0)" }
        var second = StreamCounters()
        second.packets = 5
        second.decodeErrors = 3
        second.refusedURLs = (0..<10).map { "file:///b\($0)" }
        let sum = first.adding(second)
        #expect(sum.packets == 15 && sum.reconnects == 1 && sum.oversizedPictures == 2 && sum.decodeErrors == 3)
        #expect(sum.refusedURLs.count == 16 && sum.refusedURLs.first == "file:///a4" && sum.refusedURLs.last == "file:///b9")
        #expect(StreamCounters().adding(StreamCounters()) == StreamCounters())
        // The decoding mode is not a count: the later session's holds.
        first.decodesEveryPicture = true
        #expect(!first.adding(second).decodesEveryPicture && second.adding(first).decodesEveryPicture)
    }
}
