import Foundation
import Synchronization
import Testing
import VigilDaemon
import VigilDetect
import VigilHash
import VigilMedia

@Suite("Hashing pool")
struct HashingPoolTests {
    static func job(_ stream: String, _ index: Int) -> HashJob {
        // A small picture with content that differs per index, so hashes differ.
        var pixels = [UInt8](repeating: 0, count: 32 * 32 * 3)
        for position in 0..<pixels.count { pixels[position] = UInt8(truncatingIfNeeded: (position * (index + 3)) ^ (position >> 5)) }
        let frame = Frame(index: index, ptsSeconds: Double(index), isKeyframe: true, width: 32, height: 32, pixels: pixels)
        return HashJob(stream: stream, source: "test://\(stream)", frame: frame, observedAt: Date())
    }

    @Test("live: a stream's oldest waiting frame is dropped for a fresh one")
    func freshestWins() async {
        let pool = HashingPool(width: 1, perStreamCapacity: 2, maxQueued: 100)
        var dropped: [String] = []
        for index in 0..<5 { dropped += pool.submit(Self.job("cam", index)).dropped }
        #expect(dropped == ["cam", "cam", "cam"])
        #expect(pool.depth == 2)
        let hashed = Mutex<[Double]>([])
        pool.finish()
        await pool.run { sample in hashed.withLock { $0.append(sample.frame.ptsSeconds) } }
        #expect(hashed.withLock { $0 } == [3, 4])
        #expect(pool.submit(Self.job("cam", 9)).accepted == false)
    }

    @Test("memory is bounded across streams, and streams are served in turn")
    func boundedAndFair() async {
        let pool = HashingPool(width: 1, perStreamCapacity: 4, maxQueued: 6)
        for index in 0..<4 { pool.submit(Self.job("busy", index)) }
        pool.submit(Self.job("quiet-1", 0))
        pool.submit(Self.job("quiet-2", 0))
        let overflow = pool.submit(Self.job("quiet-3", 0))
        #expect(overflow.dropped == ["busy"])
        #expect(pool.depth == 6)
        let order = Mutex<[String]>([])
        pool.finish()
        await pool.run { sample in order.withLock { $0.append(sample.stream) } }
        // Round robin: the busy stream does not get all its frames hashed before the quiet ones.
        #expect(order.withLock { $0 } == ["busy", "quiet-1", "quiet-2", "quiet-3", "busy", "busy"])
    }

    @Test("frames hash to the same PDQ as hashing them directly", .timeLimit(.minutes(3)))
    func hashes() async throws {
        let pool = HashingPool(width: 2)
        let jobs = (0..<4).map { Self.job("cam-\($0)", $0) }
        for job in jobs { pool.submit(job) }
        pool.finish()
        let results = Mutex<[String: StreamSample]>([:])
        await pool.run { sample in results.withLock { $0[sample.stream] = sample } }
        let hasher = PDQHasher(lumaPrecision: .single)
        for job in jobs {
            let sample = try #require(results.withLock { $0[job.stream] })
            let direct = job.frame.pixels.withUnsafeBufferPointer { buffer in
                hasher.hash(PixelView(base: buffer.baseAddress!, width: job.frame.width, height: job.frame.height))
            }
            #expect(sample.frame.hash == direct.hash)
            #expect(sample.frame.quality == direct.quality)
            #expect(sample.frame.ptsSeconds == job.frame.ptsSeconds)
            #expect(sample.source == job.source)
        }
        // The four pictures differ, so a pool that hashed the wrong frame would show here.
        #expect(Set(results.withLock { $0.values.map(\.frame.hash) }).count == 4)
    }

    @Test("a stream's samples are handled one at a time, in order, even with idle workers", .timeLimit(.minutes(3)))
    func inOrderPerStream() async {
        let pool = HashingPool(width: 2, perStreamCapacity: 8, maxQueued: 64)
        for index in 0..<8 { pool.submit(Self.job("cam", index)) }
        pool.finish()
        let seen = Mutex<(order: [Double], active: Int, maxActive: Int)>(([], 0, 0))
        await pool.run { sample in
            seen.withLock { state in
                state.active += 1
                state.maxActive = max(state.maxActive, state.active)
            }
            try? await Task.sleep(for: .milliseconds(5))
            seen.withLock { state in
                state.active -= 1
                state.order.append(sample.frame.ptsSeconds)
            }
        }
        let result = seen.withLock { $0 }
        #expect(result.order == (0..<8).map(Double.init))
        #expect(result.maxActive == 1)
    }

    @Test("cancelling run() stops idle workers", .timeLimit(.minutes(3)))
    func cancellation() async {
        let pool = HashingPool(width: 2)
        let running = Task { await pool.run { _ in } }
        try? await Task.sleep(for: .milliseconds(50))
        running.cancel()
        await running.value
    }

    @Test("background work waits while live frames are queued, and never takes the last free worker", .timeLimit(.minutes(3)))
    func backgroundYieldsToLive() async throws {
        let pool = HashingPool(width: 2, perStreamCapacity: 8, maxQueued: 100)
        let order = Mutex<[String]>([])
        // Queued before the workers start: two streams' frames, then background work.
        for index in 0..<3 {
            pool.submit(Self.job("a", index))
            pool.submit(Self.job("b", index))
        }
        let running = Task { await pool.run { sample in order.withLock { $0.append(sample.stream) } } }
        let background = try await pool.background.run { () -> Int in
            order.withLock { $0.append("background") }
            return 7
        }
        #expect(background == 7)
        // Every live frame queued before it was handled before it: background ran last.
        #expect(order.withLock { $0 }.last == "background")
        #expect(order.withLock { $0 }.count == 7)
        pool.finish()
        await running.value
    }

    @Test("background work is refused once the pool finishes, and waiters are never left hanging")
    func backgroundRefusedAfterFinish() async {
        let pool = HashingPool(width: 1)
        // Waiting, never started: the pool's workers are not running yet.
        let waiting = Task { try await pool.background.run { 1 } }
        try? await Task.sleep(for: .milliseconds(50))
        pool.finish()
        await #expect(throws: HashingPoolStopped.self) { try await waiting.value }
        await #expect(throws: HashingPoolStopped.self) { try await pool.background.run { 2 } }
    }

    @Test("with one worker, background work runs when no live frame waits")
    func backgroundOnOneWorker() async throws {
        let pool = HashingPool(width: 1)
        let running = Task { await pool.run { _ in } }
        let value = try await pool.background.run { 42 }
        #expect(value == 42)
        pool.finish()
        await running.value
    }
}
