import Foundation
import Testing
import VigilMedia
@testable import VigilDaemon

/// The child's writing side of the ingest pipe: a message's header and pixels are written from
/// their own buffers, and a pipe that takes them a piece at a time must still carry them whole.
@Suite("Ingest output")
struct IngestOutputTests {
    @Test("pictures larger than the pipe's buffer, written in pieces, arrive whole and in order, with the status after them")
    func largePicturesThroughAPipe() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // A 1 MiB picture is 16 times a pipe's default buffer: every write is cut short.
        let frames = (0..<3).map { index in
            Frame(
                index: index, ptsSeconds: Double(index), isKeyframe: true, width: 1024, height: 1024,
                pixels: (0..<(1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }, format: .luma8,
                observedAt: Date(timeIntervalSince1970: 1_800_000_000))
        }
        let status = SourceStatus(state: .live, since: Date(timeIntervalSince1970: 1_800_000_001))
        let output = IngestOutput(descriptor: writeEnd)
        for frame in frames { output.send(frame: try IngestMessage.frame(frame).encoded()) }
        output.send(status: try IngestMessage.status(status).encoded())
        // Finished on another thread: the writer blocks on the full pipe until this one reads.
        let finishing = Thread {
            output.finish()
            close(writeEnd)
        }
        finishing.start()
        var decoder = IngestMessageDecoder(maxDimension: 2048, maxPixels: 2048 * 2048)
        var chunk = [UInt8](repeating: 0, count: 4096)
        var received: [IngestMessage] = []
        while decoder.read(from: readEnd, using: &chunk) {
            while let message = try decoder.next() { received.append(message) }
        }
        close(readEnd)
        #expect(received.count == 4)
        for (index, frame) in frames.enumerated() {
            guard index < received.count, case .frame(let got) = received[index] else {
                Issue.record("message \(index) is not frame \(index)")
                continue
            }
            #expect(got.index == index && got.pixels == frame.pixels)
        }
        if case .status(let got) = received.last { #expect(got == status) } else { Issue.record("no status after the frames") }
    }
}
