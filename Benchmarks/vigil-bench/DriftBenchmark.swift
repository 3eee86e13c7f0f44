import Foundation
import VigilDetect
import VigilHash
import VigilMedia

/// `vigil-bench drift`: how far the hashes of the fast picture paths land from the bit-exact RGB
/// ones, on every frame of each video given.
///
/// Each file is decoded four times, every frame, with nothing dropped or cropped: as bit-exact
/// RGB (what `vigil hash` and vPDQ hash), as the decoder's luma plane (the sampling default), and
/// as luma shrunk to 512 px on its long side. The luma plane is read twice: hashed with the exact
/// downsampling and with the direct one (the sampling default). Frames are paired by their
/// position. Prints one CSV line per file (`file,frames,` then p50, p99 and max of the distance
/// for the luma plane with exact downsampling, with direct downsampling, and shrunk) and a
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
        print("file,frames,luma_exact_p50,luma_exact_p99,luma_exact_max,luma_direct_p50,luma_direct_p99,luma_direct_max,small_p50,small_p99,small_max")
        var all: [[Int]] = [[], [], []]
        var gated: [[Int]] = [[], [], []]
        for path in paths {
            let exact = try await Self.hashes(of: path, format: .rgb24, maxDimension: nil, downsampling: .exact)
            let lumaExact = try await Self.hashes(of: path, format: .luma8, maxDimension: nil, downsampling: .exact)
            let lumaDirect = try await Self.hashes(of: path, format: .luma8, maxDimension: nil, downsampling: .direct)
            let small = try await Self.hashes(of: path, format: .luma8, maxDimension: Self.smallSide, downsampling: .direct)
            guard [lumaExact.count, lumaDirect.count, small.count].allSatisfy({ $0 == exact.count }) else {
                throw BenchmarkError("\(path): \(exact.count), \(lumaExact.count), \(lumaDirect.count) and \(small.count) frames decoded")
            }
            let distances = [lumaExact, lumaDirect, small].map { variant in
                zip(exact, variant).map { $0.hash.distance(to: $1.hash) }
            }
            if ProcessInfo.processInfo.environment["DRIFT_FRAMES"] != nil {
                for index in exact.indices {
                    let row = distances.map { String($0[index]) }.joined(separator: " ")
                    FileHandle.standardError.write(Data("\(index) \(row) \(exact[index].quality)\n".utf8))
                }
            }
            for variant in 0..<3 {
                all[variant] += distances[variant]
                for index in exact.indices where exact[index].quality >= Self.qualityGate {
                    gated[variant].append(distances[variant][index])
                }
            }
            print(Self.line(label: URL(fileURLWithPath: path).lastPathComponent, distances))
        }
        print(Self.line(label: "all", all))
        print(Self.line(label: "all-quality-\(Self.qualityGate)", gated))
    }

    /// The default `--min-quality` of banks.
    static let qualityGate = 50

    private static func line(label: String, _ variants: [[Int]]) -> String {
        let columns = variants.map { summary($0) }.map { "\($0.p50),\($0.p99),\($0.max)" }
        return "\(label),\(variants[0].count),\(columns.joined(separator: ","))"
    }

    private static func summary(_ values: [Int]) -> (p50: Int, p99: Int, max: Int) {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return (0, 0, 0) }
        func at(_ fraction: Double) -> Int { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction + 0.5))] }
        return (at(0.5), at(0.99), sorted[sorted.count - 1])
    }

    /// Every frame's hash and quality, in decoding order, with vPDQ's single-precision luma for RGB.
    private static func hashes(
        of path: String, format: PictureFormat, maxDimension: Int?, downsampling: PDQDownsampling
    ) async throws -> [PDQResult] {
        var options = StreamOptions(media: MediaReaderOptions(sampling: .everyFrame), policy: .exact)
        options.policy.pictureFormat = format
        options.sampleMaxDimension = maxDimension
        let session = try StreamSession(url: path, options: options)
        let hasher = PDQHasher(lumaPrecision: .single)
        var hashes: [PDQResult] = []
        for try await frame in session.frames {
            hashes.append(frame.pixels.withUnsafeBufferPointer { buffer in
                let layout: PixelView.Layout = frame.format == .luma8 ? .grey8 : .rgb24
                let view = PixelView(base: buffer.baseAddress!, width: frame.width, height: frame.height, layout: layout)
                return hasher.hash(view, downsampling: downsampling)
            })
        }
        let end = await session.finished()
        if let reason = end.reason { throw reason }
        return hashes
    }
}
