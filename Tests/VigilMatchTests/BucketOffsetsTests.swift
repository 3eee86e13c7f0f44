import Testing
import VigilHash
@testable import VigilMatch
import VigilTestSupport

/// Packed bucket offsets must give every bucket exactly as the plain offsets they were made from,
/// in 2-byte form and in the 4-byte fallback.
@Suite("Bucket offsets")
struct BucketOffsetsTests {
    /// Offsets for `sizes` buckets (one more than the keys: the end of the last).
    static func offsets(_ sizes: [Int]) -> [UInt32] {
        var offsets: [UInt32] = [0]
        for size in sizes { offsets.append(offsets.last! + UInt32(size)) }
        return offsets
    }

    static func expectSameBuckets(_ packed: BucketOffsets, _ offsets: [UInt32]) {
        packed.withReader { bucket in
            let wrong = (0..<(offsets.count - 1)).filter { bucket($0) != Int(offsets[$0])..<Int(offsets[$0 + 1]) }
            #expect(wrong.isEmpty, "keys with a wrong bucket: \(wrong.prefix(5))")
        }
    }

    @Test("small buckets: 2-byte offsets, about half the memory, every bucket the same")
    func narrow() {
        var rng = SplitMix64(state: 5)
        let sizes = (0..<10_000).map { _ in Int(rng.next() % 12) }
        let offsets = Self.offsets(sizes)
        let packed = offsets.withUnsafeBufferPointer { BucketOffsets($0) }
        #expect(!packed.isWide)
        #expect(packed.memoryBytes < offsets.count * 4 * 55 / 100)
        Self.expectSameBuckets(packed, offsets)
    }

    @Test("a block holding 65,535 entries stays narrow; 65,536 falls back to 4-byte offsets", arguments: [65_535, 65_536])
    func blockLimit(entries: Int) {
        // Blocks describe 30 keys. The crowded bucket is the second block's next-to-last key
        // (58), so the block's last offset (59) is exactly `entries` past its first (30).
        var sizes = [Int](repeating: 1, count: 200)
        sizes[58] = entries - 28
        let offsets = Self.offsets(sizes)
        let packed = offsets.withUnsafeBufferPointer { BucketOffsets($0) }
        #expect(packed.isWide == (entries > 65_535))
        Self.expectSameBuckets(packed, offsets)
    }

    @Test("a bank crowding one key past 65,535 hashes keeps 4-byte offsets and still equals brute force")
    func crowdedBank() {
        var rng = SplitMix64(state: 11)
        // The low 32 bits of every hash are zero: the tables over them hold all 70,000 in one bucket.
        let hashes = (0..<70_000).map { _ in
            PDQHash(words: (rng.next() & ~UInt64(0xFFFF_FFFF), rng.next(), rng.next(), rng.next()))
        }
        let column = HashColumn(hashes)
        let isWide = column.withHalves { halves in
            let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 2 * hashes.count)
            defer { scratch.deallocate() }
            return SubstringTable(bits: 0..<16, hashes: halves, count: hashes.count, scratch: scratch).hasWideOffsets
        }
        #expect(isWide)
        let index = HashIndex(column, layout: .multiIndex(substrings: 16))
        for number in 0..<8 {
            let query = HashIndexTests.perturb(hashes[number * 8_000], flips: number * 4, &rng)
            for radius in [0, 16, 31] {
                #expect(index.search(query, radius: radius) == HashIndexTests.bruteForce(hashes, query, radius: radius),
                        "query \(number), radius \(radius)")
            }
        }
    }
}
