import Testing
@testable import VigilMedia

/// The hand-over between a session's thread and its consumer.
@Suite("Frame channel")
struct FrameChannelTests {
    static func frame(_ index: Int) -> Frame {
        Frame(index: index, ptsSeconds: Double(index), isKeyframe: true, width: 1, height: 1, pixels: [0], format: .luma8)
    }

    @Test("a channel dropped with frames still buffered is freed cleanly, in every overflow mode")
    func droppedWhileFull() {
        // libdispatch traps when a semaphore is freed below its initial value: the credits the
        // producer took for the buffered frames are never given back here.
        for overflow in [FrameChannel.Overflow.wait, .dropOldest] {
            var channel: FrameChannel? = FrameChannel(url: "test://", capacity: 3, overflow: overflow)
            for index in 0..<3 { #expect(channel?.send(Self.frame(index)) == true) }
            channel?.finish(.success(()))
            channel = nil
        }
    }

    @Test("in wait mode the producer takes a credit per frame and the consumer gives it back")
    func credits() async throws {
        let channel = FrameChannel(url: "test://", capacity: 2, overflow: .wait)
        #expect(channel.send(Self.frame(0)) && channel.send(Self.frame(1)))
        channel.finish(.success(()))
        var iterator = channel.frames.makeAsyncIterator()
        #expect(try await channel.next(from: &iterator)?.index == 0)
        #expect(try await channel.next(from: &iterator)?.index == 1)
        #expect(try await channel.next(from: &iterator) == nil)
    }
}
