import Foundation
import Testing
import VigilHash
import VigilMatch
import VigilTestSupport

/// Exactness: the index must return what comparing with every hash returns, at every radius.
@Suite("HashIndex equals brute force")
struct HashIndexTests {
    static func bruteForce(_ hashes: [PDQHash], _ query: PDQHash, radius: Int) -> [HashIndexMatch] {
        hashes.enumerated().compactMap { entry, hash in
            let distance = hash.distance(to: query)
            return distance <= radius ? HashIndexMatch(entry: entry, distance: distance) : nil
        }.sorted()
    }

    static func loadHashes(_ relative: String) throws -> [PDQHash] {
        try String(contentsOfFile: Fixtures.path(relative), encoding: .utf8)
            .split(whereSeparator: \.isNewline).map { try PDQHash(hex: $0) }
    }

    static func random(_ rng: inout SplitMix64) -> PDQHash {
        PDQHash(words: (rng.next(), rng.next(), rng.next(), rng.next()))
    }

    /// `hash` with `flips` distinct random bits flipped.
    static func perturb(_ hash: PDQHash, flips: Int, _ rng: inout SplitMix64) -> PDQHash {
        var bits = Set<Int>()
        while bits.count < flips { bits.insert(Int(rng.next() % 256)) }
        var words = [hash.words.0, hash.words.1, hash.words.2, hash.words.3]
        for bit in bits { words[bit / 64] ^= 1 << UInt64(bit % 64) }
        return PDQHash(words: (words[0], words[1], words[2], words[3]))
    }

    /// Near-duplicate clusters, as consecutive video frames produce.
    static func clustered(count: Int, _ rng: inout SplitMix64) -> [PDQHash] {
        var hashes: [PDQHash] = []
        while hashes.count < count {
            let centre = random(&rng)
            for _ in 0..<min(50, count - hashes.count) {
                hashes.append(perturb(centre, flips: Int(rng.next() % 40), &rng))
            }
        }
        return hashes
    }

    static let radii = [0, 16, 31, 32, 63]
    /// Automatic, scan, and table layouts from the longest keys large banks use down to 8-bit keys.
    /// (11 substrings, 24-bit keys, needs about 34 MiB of offsets a table: right for 10M hashes, a waste here.)
    static let layouts: [HashIndexLayout?] = [nil, .linearScan, .multiIndex(substrings: 12), .multiIndex(substrings: 16),
                                               .multiIndex(substrings: 21), .multiIndex(substrings: 32)]

    static func check(_ hashes: [PDQHash], queries: [PDQHash], label: String) {
        for layout in layouts {
            let index = layout.map { HashIndex(hashes, layout: $0) } ?? HashIndex(hashes)
            for radius in radii {
                var found = 0
                for (number, query) in queries.enumerated() {
                    let expected = bruteForce(hashes, query, radius: radius)
                    let actual = index.search(query, radius: radius)
                    found += expected.count
                    #expect(actual == expected, "\(label), \(index.layout), radius \(radius), query \(number)")
                }
                if radius >= 31 {
                    #expect(found > 0, "\(label) radius \(radius) exercised no match")
                }
            }
        }
    }

    @Test("the reference multi-index test corpus (haystack and needles)")
    func referenceCorpus() throws {
        let haystack = try Self.loadHashes("mih/haystack.txt")
        let needles = try Self.loadHashes("mih/needles.txt")
        #expect(haystack.count == 1350 && needles.count == 100)
        Self.check(haystack, queries: needles + Array(haystack.prefix(20)), label: "mih corpus")
    }

    @Test("random banks, queries near and far")
    func randomBank() {
        var rng = SplitMix64(state: 7)
        let hashes = (0..<20_000).map { _ in Self.random(&rng) }
        let queries = (0..<40).map { i in
            i % 2 == 0 ? Self.perturb(hashes[Int(rng.next() % 20_000)], flips: Int(rng.next() % 64), &rng) : Self.random(&rng)
        }
        Self.check(hashes, queries: queries, label: "random")
    }

    @Test("clustered banks of near-duplicates")
    func clusteredBank() {
        var rng = SplitMix64(state: 11)
        let hashes = Self.clustered(count: 10_000, &rng)
        let queries = (0..<30).map { _ in Self.perturb(hashes[Int(rng.next() % 10_000)], flips: Int(rng.next() % 48), &rng) }
        Self.check(hashes, queries: queries, label: "clustered")
    }

    @Test("every radius from 0 to 64, one query at a time and in batches, random and clustered")
    func everyRadius() {
        var rng = SplitMix64(state: 17)
        let random = (0..<12_000).map { _ in Self.random(&rng) }
        let clustered = Self.clustered(count: 12_000, &rng)
        for (label, hashes) in [("random", random), ("clustered", clustered)] {
            let queries = (0..<60).map { i in
                i % 3 == 0 ? Self.random(&rng) : Self.perturb(hashes[Int(rng.next() % UInt64(hashes.count))], flips: Int(rng.next() % 70), &rng)
            }
            // Brute force once per query: everything within 64, nearest first; a smaller radius
            // keeps a prefix of it.
            let within64 = queries.map { Self.bruteForce(hashes, $0, radius: 64) }
            for layout in [HashIndexLayout.multiIndex(substrings: 16), .multiIndex(substrings: 12)] {
                let index = HashIndex(hashes, layout: layout)
                for radius in 0...64 {
                    let expected = within64.map { $0.filter { $0.distance <= radius } }
                    #expect(queries.map { index.search($0, radius: radius) } == expected, "\(label), \(layout), one at a time, radius \(radius)")
                    #expect(index.search(queries, radius: radius) == expected, "\(label), \(layout), batched, radius \(radius)")
                }
            }
        }
    }

    @Test("edge cases: empty bank, negative radius, radius 256, duplicates")
    func edgeCases() {
        var rng = SplitMix64(state: 3)
        #expect(HashIndex([]).search(Self.random(&rng), radius: 31).isEmpty)
        let hash = Self.random(&rng)
        let index = HashIndex([hash, hash, Self.random(&rng)], layout: .multiIndex(substrings: 16))
        #expect(index.search(hash, radius: -1).isEmpty)
        #expect(index.search(hash, radius: 0) == [HashIndexMatch(entry: 0, distance: 0), HashIndexMatch(entry: 1, distance: 0)])
        #expect(index.search(hash, radius: 256).count == 3)
    }

    @Test("automatic layouts: scan for small banks, tables for large ones")
    func layoutChoice() {
        #expect(HashIndexLayout.choose(count: 1_000, radius: 31) == .linearScan)
        if case .multiIndex(let substrings) = HashIndexLayout.choose(count: 10_000_000, radius: 31) {
            #expect((11...16).contains(substrings))
        } else {
            Issue.record("10M hashes at radius 31 should use tables")
        }
        #expect(HashIndexLayout.choose(count: 10_000_000, radius: 120) == .linearScan)
    }
}

@Suite("HotSwappable")
struct HotSwappableTests {
    @Test("readers see a whole old or whole new index while it is swapped")
    func concurrentSwap() async {
        var rng = SplitMix64(state: 5)
        let small = HashIndex((0..<100).map { _ in HashIndexTests.random(&rng) })
        let large = HashIndex((0..<5_000).map { _ in HashIndexTests.random(&rng) })
        let current = HotSwappable(small)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for round in 0..<2_000 { current.store(round % 2 == 0 ? large : small) }
            }
            for _ in 0..<2 {
                group.addTask {
                    for _ in 0..<2_000 {
                        let index = current.load()
                        #expect(index.count == 100 || index.count == 5_000)
                        #expect(index.search(index.hash(at: 0), radius: 0).first?.entry == 0)
                    }
                }
            }
        }
    }
}
