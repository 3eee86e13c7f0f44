import Foundation
import VigilHash

/// An exact radius search over a fixed set of PDQ hashes.
///
/// Every hash within the radius is returned — the same result as comparing the query with every
/// hash — but through multi-index hashing (see ``HashIndexLayout``) a query touches only a few
/// thousand hashes of a bank of millions. Memory is a few flat arrays: the hashes (a
/// ``HashColumn``, 32 bytes each, shared with the bank), and per table one three-byte entry number
/// per hash plus dense bucket offsets; no object per entry.
///
/// An index is immutable once built, so any number of threads may query it at once. To replace a
/// bank while queries run, build a new index and publish it through ``HotSwappable``.
public final class HashIndex: Sendable {
    /// How the index is organised.
    public let layout: HashIndexLayout
    /// Number of hashes.
    public let count: Int
    /// The hashes, in entry order.
    public let hashes: HashColumn
    private let tables: [SubstringTable]

    /// Indexes `hashes` for queries around `radius` (it only tunes the layout: queries at any
    /// radius are exact).
    public convenience init(_ hashes: [PDQHash], designRadius radius: Int = 31) {
        self.init(HashColumn(hashes), designRadius: radius)
    }

    /// Indexes `hashes` with an explicit layout.
    public convenience init(_ hashes: [PDQHash], layout: HashIndexLayout) {
        self.init(HashColumn(hashes), layout: layout)
    }

    /// Indexes a column of hashes (sharing it, not copying it) for queries around `radius`.
    public convenience init(_ hashes: HashColumn, designRadius radius: Int = 31) {
        self.init(hashes, layout: HashIndexLayout.choose(count: hashes.count, radius: radius))
    }

    /// Indexes a column of hashes (sharing it, not copying it) with an explicit layout.
    public init(_ hashes: HashColumn, layout: HashIndexLayout) {
        precondition(hashes.count < Int(UInt32.max), "a hash index holds fewer than 2^32 hashes")
        self.layout = layout
        self.count = hashes.count
        self.hashes = hashes
        switch layout {
        case .linearScan:
            tables = []
        case .multiIndex(let substrings):
            precondition(HashIndexLayout.substringCounts.contains(substrings),
                         "multi-index layouts use \(HashIndexLayout.substringCounts) substrings")
            tables = hashes.withHalves { halves in
                Self.buildTables(HashIndexLayout.substringRanges(substrings), hashes: halves, count: hashes.count)
            }
        }
    }

    /// Builds one table per substring, the tables shared out over the cores (each worker with
    /// its own scratch memory, reused for each of its tables).
    private static func buildTables(_ ranges: [Range<Int>], hashes: HashHalves, count: Int) -> [SubstringTable] {
        let workers = min(ranges.count, ProcessInfo.processInfo.activeProcessorCount)
        let built = UnsafeMutableBufferPointer<SubstringTable?>.allocate(capacity: ranges.count)
        built.initialize(repeating: nil)
        defer {
            built.deinitialize()
            built.deallocate()
        }
        let shared = UnsafeSendable((built, hashes))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let (built, hashes) = shared.value
            let scratch = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: 2 * count)
            defer { scratch.deallocate() }
            for table in stride(from: worker, to: ranges.count, by: workers) {
                built[table] = SubstringTable(bits: ranges[table], hashes: hashes, count: count, scratch: scratch)
            }
        }
        return built.map { $0! }
    }

    /// Bytes of memory the index holds, the hashes included.
    public var memoryBytes: Int {
        hashes.memoryBytes + tables.reduce(0) { $0 + $1.memoryBytes }
    }

    /// The hash of `entry`.
    public func hash(at entry: Int) -> PDQHash {
        hashes[entry]
    }

    /// Every hash within `radius` bits of `query`, nearest first (ties by entry).
    public func search(_ query: PDQHash, radius: Int) -> [HashIndexMatch] {
        guard radius >= 0, count > 0 else { return [] }
        var matches: [HashIndexMatch] = []
        withUnsafeMutablePointer(to: &matches) { searchBlock([query][...], radius: radius, into: $0) }
        return matches
    }

    /// Searches for every query, each result as ``search(_:radius:)-(PDQHash,_)`` gives it.
    ///
    /// Cheaper per query than one search at a time: a scan reads the bank once per block of
    /// queries instead of once per query, and large batches are split over the cores.
    public func search(_ queries: [PDQHash], radius: Int) -> [[HashIndexMatch]] {
        guard radius >= 0, count > 0, !queries.isEmpty else { return queries.map { _ in [] } }
        let chunk = 1024
        let chunks = (queries.count + chunk - 1) / chunk
        let results = UnsafeMutableBufferPointer<[HashIndexMatch]>.allocate(capacity: queries.count)
        results.initialize(repeating: [])
        defer {
            results.deinitialize()
            results.deallocate()
        }
        let shared = UnsafeSendable(results)
        let work: @Sendable (Int) -> Void = { index in
            let range = (index * chunk)..<min(queries.count, (index + 1) * chunk)
            self.searchBlock(queries[range], radius: radius, into: shared.value.baseAddress! + range.lowerBound)
        }
        if chunks == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
        }
        return Array(results)
    }

    private func searchBlock(_ queries: ArraySlice<PDQHash>, radius: Int, into results: UnsafeMutablePointer<[HashIndexMatch]>) {
        hashes.withHalves { halves in
            if tables.isEmpty || Self.linearIsCheaper(layout, count: count, radius: radius) {
                // Blocks of 2048 hashes (64 KiB) stay in cache while every query passes over them.
                let block = 2048
                for start in stride(from: 0, to: count, by: block) {
                    let entries = start..<min(count, start + block)
                    for (offset, query) in queries.enumerated() {
                        Self.scan(halves, entries: entries, query: query, radius: radius, into: &results[offset])
                    }
                }
                for offset in 0..<queries.count {
                    results[offset] = Self.ordered(results[offset], deduplicating: false)
                }
            } else {
                // Table by table: one table's offsets and entry numbers stay in cache while every
                // query of the block probes it.
                for table in tables {
                    for (offset, query) in queries.enumerated() {
                        table.search(query, radius: radius, perTableRadius: radius / tables.count, hashes: halves, into: &results[offset])
                    }
                }
                for offset in 0..<queries.count {
                    results[offset] = Self.ordered(results[offset], deduplicating: true)
                }
            }
        }
    }

    /// Nearest first, ties by entry; with several tables a hash close in several substrings is
    /// found by each of them, and kept once.
    private static func ordered(_ matches: [HashIndexMatch], deduplicating: Bool) -> [HashIndexMatch] {
        var matches = matches
        if deduplicating && matches.count > 1 {
            matches.sort { $0.entry < $1.entry }
            var unique: [HashIndexMatch] = []
            unique.reserveCapacity(matches.count)
            for match in matches where unique.last?.entry != match.entry {
                unique.append(match)
            }
            matches = unique
        }
        matches.sort()
        return matches
    }

    /// The tables lose to a plain scan at large radii (probes grow combinatorially), whatever
    /// radius the layout was designed for.
    private static func linearIsCheaper(_ layout: HashIndexLayout, count: Int, radius: Int) -> Bool {
        HashIndexLayout.estimatedCost(layout, count: count, radius: radius)
            > HashIndexLayout.estimatedCost(.linearScan, count: count, radius: radius)
    }

    private static func scan(
        _ hashes: HashHalves, entries: Range<Int>, query: PDQHash, radius: Int, into matches: inout [HashIndexMatch]
    ) {
        let words = query.words
        for entry in entries {
            if let distance = hashes.distance(entry, to: words, within: radius) {
                matches.append(HashIndexMatch(entry: entry, distance: distance))
            }
        }
    }
}

/// A value handed to `DispatchQueue.concurrentPerform`'s workers, each of which touches only its
/// own part of it.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
