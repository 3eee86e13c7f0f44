import NIOPosix
import VigilMedia

/// Hashes frames concurrently while the reader keeps decoding, and hands the results back in frame
/// order. The hashing runs on threads of its own, never on Swift's cooperative pool.
///
/// At most `width` frames are being hashed at once and results waiting for an earlier frame are
/// bounded by the same number, so memory stays flat however long the input is. With a width of 1,
/// each frame is emitted before the next one is taken from the sequence.
public struct OrderedHashing: Sendable {
    /// Frames hashed at the same time; defaults to the number of cores.
    public var width: Int
    /// Where the hashers come from.
    public var pool: HasherPool
    /// Whether to hash the dihedral variants too.
    public var dihedral: Bool
    /// Where the hashing runs; nil starts `width` threads for the run.
    public var threads: (any HashingThreads)?

    /// Creates a hasher of `width` frames at once.
    public init(width: Int, pool: HasherPool, dihedral: Bool, threads: (any HashingThreads)? = nil) {
        self.width = width
        self.pool = pool
        self.dihedral = dihedral
        self.threads = threads
    }

    /// Hashes every frame of `frames`, handing the results to `emit` in frame order.
    public func run<Frames: AsyncSequence & Sendable>(
        _ frames: Frames,
        emit: (HashedFrame) async throws -> Void
    ) async throws where Frames.Element == Frame {
        if let threads {
            try await hash(frames, on: threads, emit: emit)
            return
        }
        let threads = NIOThreadPool(numberOfThreads: max(1, width))
        threads.start()
        do {
            try await hash(frames, on: threads, emit: emit)
        } catch {
            try? await threads.shutdownGracefully()
            throw error
        }
        try? await threads.shutdownGracefully()
    }

    private func hash<Frames: AsyncSequence & Sendable>(
        _ frames: Frames, on threads: any HashingThreads, emit: (HashedFrame) async throws -> Void
    ) async throws where Frames.Element == Frame {
        try await withThrowingTaskGroup(of: (Int, HashedFrame).self) { group in
            var submitted = 0
            var nextToEmit = 0
            var finished: [Int: HashedFrame] = [:]

            func collect(_ result: (Int, HashedFrame)) async throws {
                finished[result.0] = result.1
                while let ready = finished.removeValue(forKey: nextToEmit) {
                    try await emit(ready)
                    nextToEmit += 1
                }
            }

            for try await frame in frames {
                let sequence = submitted
                submitted += 1
                let pool = self.pool
                let dihedral = self.dihedral
                group.addTask {
                    try await threads.run { (sequence, HashedFrame(frame, pool: pool, dihedral: dihedral)) }
                }
                // Room for the next frame before asking for it: with a width of 1, a frame is
                // emitted before the next is taken (a reader that waits for its consumer needs that).
                while submitted - nextToEmit >= width, let result = try await group.next() {
                    try await collect(result)
                }
            }
            while let result = try await group.next() {
                try await collect(result)
            }
        }
    }
}

