/// Where each bucket of a ``SubstringTable`` starts among its entry numbers, in about half the
/// memory of one 4-byte offset a key, and still one cache line read a lookup.
///
/// Keys are grouped in blocks of 30, each block one 64-byte cache line: its first bucket's start
/// in 4 bytes, then each key's distance from there in 2. At 10M hashes a table has 2–4M keys, so
/// this is about 6 bytes an entry less over the twelve tables. A table where some block's buckets
/// hold 65,536 entries or more (a bank of near-duplicates crowding a few keys) keeps plain 4-byte
/// offsets instead.
struct BucketOffsets: Sendable {
    /// Keys a block describes: a 4-byte start and 2-byte distances fill one 64-byte line.
    private static let keysPerBlock = 30
    private static let blockBytes = 64

    /// The blocks, in one cache-aligned allocation; nil when `wide` is used.
    private let blocks: BlockMemory?
    /// Each key's start, for a table that 2-byte distances cannot describe.
    private let wide: [UInt32]

    /// Packs `offsets`: non-decreasing, one a key plus the end of the last bucket.
    init(_ offsets: UnsafeBufferPointer<UInt32>) {
        let blockCount = (offsets.count + Self.keysPerBlock - 1) / Self.keysPerBlock
        let blocks = BlockMemory(byteCount: blockCount * Self.blockBytes, alignment: Self.blockBytes)
        for block in 0..<blockCount {
            let first = block * Self.keysPerBlock
            let last = min(first + Self.keysPerBlock, offsets.count)
            let start = offsets[first]
            // Offsets never decrease, so the block's last one is its largest.
            guard offsets[last - 1] - start <= UInt32(UInt16.max) else {
                self.blocks = nil
                wide = Array(offsets)
                return
            }
            let line = blocks.base + block * Self.blockBytes
            line.storeBytes(of: start, as: UInt32.self)
            for key in first..<last {
                line.storeBytes(of: UInt16(truncatingIfNeeded: offsets[key] - start), toByteOffset: 4 + 2 * (key - first), as: UInt16.self)
            }
        }
        self.blocks = blocks
        wide = []
    }

    /// Whether the table fell back to 4-byte offsets.
    var isWide: Bool { blocks == nil }

    var memoryBytes: Int { (blocks?.byteCount ?? 0) + wide.count * 4 }

    /// Runs `body` with a function that gives the slots of a key's bucket.
    func withReader<Result>(_ body: ((Int) -> Range<Int>) -> Result) -> Result {
        guard let blocks else {
            return wide.withUnsafeBufferPointer { wide in
                body { key in Int(wide[key])..<Int(wide[key + 1]) }
            }
        }
        let base = UnsafeRawPointer(blocks.base)
        return withExtendedLifetime(blocks) {
            body { key in
                // Unsigned: a division by a constant is then a multiply and a shift.
                let (block, index) = UInt(bitPattern: key).quotientAndRemainder(dividingBy: UInt(Self.keysPerBlock))
                let line = base + Int(block) * Self.blockBytes
                let blockStart = Int(line.load(as: UInt32.self))
                let start = blockStart + Int(line.load(fromByteOffset: 4 + 2 * Int(index), as: UInt16.self))
                // The bucket ends where the next key's starts: in the same line but for the last key.
                let end = index + 1 < UInt(Self.keysPerBlock)
                    ? blockStart + Int(line.load(fromByteOffset: 6 + 2 * Int(index), as: UInt16.self))
                    : Int((line + Self.blockBytes).load(as: UInt32.self))
                return start..<end
            }
        }
    }
}

/// The owner of a ``BucketOffsets``' blocks: one aligned allocation, freed with its last user.
/// Written only while the offsets are packed, read-only after, so it may be shared across threads.
private final class BlockMemory: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int, alignment: Int) {
        base = .allocate(byteCount: max(byteCount, 1), alignment: alignment)
        self.byteCount = byteCount
    }

    deinit {
        base.deallocate()
    }
}
