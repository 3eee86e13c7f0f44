import Foundation
import VigilHash
import VigilMatch

/// `vigil-bench index`: builds a ``HashIndex`` over a file of raw 32-byte hashes and times radius
/// queries one at a time on one thread, then all of them as one batch (which uses every core).
/// Prints one CSV line:
/// `layout,count,build_s,bytes_per_entry,p50_us,p99_us,mean_us,matches,checksum,batch_wall_us,batch_cpu_us`
/// — the checksum over all (query, entry) result pairs lets the driver check the results equal
/// faiss's; the batch columns are per query, wall-clock and CPU time of the process.
///
/// Usage: vigil-bench index --hashes FILE --queries FILE [--radius 31] [--layout auto|linear|N]
struct IndexBenchmark {
    var hashesPath = ""
    var queriesPath = ""
    var radius = 31
    var layout: HashIndexLayout?

    init(_ arguments: ArraySlice<String>) throws {
        var remaining = arguments
        while let argument = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw BenchmarkError("\(argument) needs a value") }
            switch argument {
            case "--hashes": hashesPath = value
            case "--queries": queriesPath = value
            case "--radius": radius = Int(value) ?? 31
            case "--layout":
                layout = value == "auto" ? nil : value == "linear" ? .linearScan : Int(value).map { .multiIndex(substrings: $0) }
            default: throw BenchmarkError("unknown option \(argument)")
            }
        }
        guard !hashesPath.isEmpty, !queriesPath.isEmpty else { throw BenchmarkError("--hashes and --queries are required") }
    }

    /// Raw hashes: 32 bytes each, the four 64-bit words little-endian, least significant first.
    static func load(_ path: String) throws -> [PDQHash] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.count % 32 == 0 else { throw BenchmarkError("\(path): size is not a multiple of 32") }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 32)).map { i in
                PDQHash(words: (
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 32, as: UInt64.self)),
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 32 + 8, as: UInt64.self)),
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 32 + 16, as: UInt64.self)),
                    UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 32 + 24, as: UInt64.self))))
            }
        }
    }

    func run() throws {
        let hashes = try Self.load(hashesPath)
        let queries = try Self.load(queriesPath)
        let buildStart = nanoseconds()
        let index = layout.map { HashIndex(hashes, layout: $0) } ?? HashIndex(hashes, designRadius: radius)
        let buildSeconds = Double(nanoseconds() - buildStart) / 1e9

        var timings: [Double] = []
        var matches = 0
        var checksum: UInt64 = 0
        for _ in 0..<2 where timings.isEmpty {
            _ = index.search(queries[0], radius: radius) // warm caches once
            for (number, query) in queries.enumerated() {
                let start = nanoseconds()
                let found = index.search(query, radius: radius)
                timings.append(Double(nanoseconds() - start) / 1000)
                matches += found.count
                for match in found {
                    checksum &+= UInt64(number) &* 1_000_003 &+ UInt64(match.entry)
                }
            }
        }
        let batchStart = nanoseconds()
        let cpuStart = Self.cpuSeconds()
        let batched = index.search(queries, radius: radius)
        let batchWall = Double(nanoseconds() - batchStart) / 1000 / Double(queries.count)
        let batchCPU = (Self.cpuSeconds() - cpuStart) * 1e6 / Double(queries.count)
        guard batched == queries.map({ index.search($0, radius: radius) }) else {
            throw BenchmarkError("batched results differ from single queries")
        }
        timings.sort()
        let p50 = timings[timings.count / 2]
        let p99 = timings[min(timings.count - 1, timings.count * 99 / 100)]
        let mean = timings.reduce(0, +) / Double(timings.count)
        let bytesPerEntry = Double(index.memoryBytes) / Double(max(index.count, 1))
        print("layout,count,build_s,bytes_per_entry,p50_us,p99_us,mean_us,matches,checksum,batch_wall_us,batch_cpu_us")
        print("\(index.layout),\(index.count),\(String(format: "%.2f", buildSeconds)),\(String(format: "%.1f", bytesPerEntry)),"
              + "\(String(format: "%.1f", p50)),\(String(format: "%.1f", p99)),\(String(format: "%.1f", mean)),\(matches),\(checksum),"
              + "\(String(format: "%.1f", batchWall)),\(String(format: "%.1f", batchCPU))")
    }

    /// User and system CPU time of the whole process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
