import Foundation
import VigilDetect
import VigilHash
import VigilMedia

/// `vigil-bench drift`: how far the hashes of the fast picture paths land from the bit-exact RGB
/// ones, on every frame of each video given.
///
/// Each file is decoded three times, every frame, with nothing dropped or cropped: as bit-exact
/// RGB (what `vigil hash` and vPDQ hash), as the decoder's luma plane (the sampling default), and
/// as luma shrunk to 512 px on its long side. Frames are paired by their position. Prints one CSV
/// line per file (`file,frames,luma_p50,luma_p99,luma_max,small_p50,small_p99,small_max`) and a
/// last line `all,...` over every frame, then the same over the frames matching considers: those
/// whose bit-exact quality passes the default gate of 50 (flat and dark pictures below it have
/// hashes that flip with any noise, and are never matched). `DRIFT_FRAMES=1` also writes each
/// frame's number, distance and exact quality to standard error.
///
/// Usage: vigil-bench drift VIDEO...
struct DriftBenchmark {
    var paths: [String] = []

    init(_ arguments: ArraySlice<String>) throws {
        paths = Array(arguments)
        guard !paths.isEmpty else { throw BenchmarkError("usage: vigil-bench drift VIDEO...") }
    }

    /// The shrunk variant's long side, in pixels.
    static let smallSide = 512

    func run() async throws {
        print("file,frames,luma_p50,luma_p99,luma_max,small_p50,small_p99,small_max")
        var allLuma: [Int] = []
        var allSmall: [Int] = []
        var gatedLuma: [Int] = []
        var gatedSmall: [Int] = []
        for path in paths {
            let exact = try await Self.hashes(of: path, format: .rgb24, maxDimension: nil)
            let luma = try await Self.hashes(of: path, format: .luma8, maxDimension: nil)
            let small = try await Self.hashes(of: path, format: .luma8, maxDimension: Self.smallSide)
            guard exact.count == luma.count, exact.count == small.count else {
                throw BenchmarkError("\(path): \(exact.count), \(luma.count) and \(small.count) frames decoded")
            }
            let lumaDistances = zip(exact, luma).map { $0.hash.distance(to: $1.hash) }
            let smallDistances = zip(exact, small).map { $0.hash.distance(to: $1.hash) }
            if ProcessInfo.processInfo.environment["DRIFT_FRAMES"] != nil {
                for index in exact.indices {
                    FileHandle.standardError.write(Data("\(index) \(lumaDistances[index]) \(smallDistances[index]) \(exact[index].quality)\n".utf8))
                }
            }
            allLuma += lumaDistances
            allSmall += smallDistances
            for index in exact.indices where exact[index].quality >= Self.qualityGate {
                gatedLuma.append(lumaDistances[index])
                gatedSmall.append(smallDistances[index])
            }
            print(Self.line(label: URL(fileURLWithPath: path).lastPathComponent, lumaDistances, smallDistances))
        }
        print(Self.line(label: "all", allLuma, allSmall))
        print(Self.line(label: "all-quality-\(Self.qualityGate)", gatedLuma, gatedSmall))
    }

    /// The default `--min-quality` of banks.
    static let qualityGate = 50

    private static func line(label: String, _ luma: [Int], _ small: [Int]) -> String {
        let a = summary(luma), b = summary(small)
        return "\(label),\(luma.count),\(a.p50),\(a.p99),\(a.max),\(b.p50),\(b.p99),\(b.max)"
    }

    private static func summary(_ values: [Int]) -> (p50: Int, p99: Int, max: Int) {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return (0, 0, 0) }
        func at(_ fraction: Double) -> Int { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))] }
        return (at(0.5), at(0.99), sorted[sorted.count - 1])
    }

    /// Every frame's hash and quality, in decoding order, with vPDQ's single-precision luma for RGB.
    private static func hashes(of path: String, format: PictureFormat, maxDimension: Int?) async throws -> [PDQResult] {
        var options = StreamOptions(media: MediaReaderOptions(sampling: .everyFrame), policy: .exact)
        options.policy.pictureFormat = format
        options.sampleMaxDimension = maxDimension
        let session = try StreamSession(url: path, options: options)
        let hasher = PDQHasher(lumaPrecision: .single)
        var hashes: [PDQResult] = []
        for try await frame in session.frames {
            let hashed = HashedFrame(frame, hasher: hasher)
            hashes.append(PDQResult(hash: hashed.hash, quality: hashed.quality))
        }
        let end = await session.finished()
        if let reason = end.reason { throw reason }
        return hashes
    }
}
