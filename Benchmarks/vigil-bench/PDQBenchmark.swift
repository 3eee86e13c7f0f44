import Foundation
import VigilHash

/// `vigil-bench pdq`: times Vigil's PDQ on raw RGB24 frames, single thread, printing one CSV line
/// per frame size: `width,height,iterations,ns_per_hash,hash`.
///
/// Usage: vigil-bench pdq [--precision single|double] [--min-seconds S] WIDTHxHEIGHT:FILE.rgb...
struct PDQBenchmark {
    var precision = LumaPrecision.double
    var minimumSeconds = 2.0
    var inputs: [(width: Int, height: Int, path: String)] = []

    init(_ arguments: ArraySlice<String>) throws {
        var remaining = arguments
        while let argument = remaining.popFirst() {
            switch argument {
            case "--precision":
                precision = remaining.popFirst() == "single" ? .single : .double
            case "--min-seconds":
                guard let value = remaining.popFirst().flatMap(Double.init) else { throw usage }
                minimumSeconds = value
            default:
                let parts = argument.split(separator: ":", maxSplits: 1)
                let size = parts.first?.split(separator: "x").compactMap { Int($0) } ?? []
                guard parts.count == 2, size.count == 2 else { throw usage }
                inputs.append((size[0], size[1], String(parts[1])))
            }
        }
    }

    var usage: Error {
        BenchmarkError("usage: vigil-bench pdq [--precision single|double] [--min-seconds S] WIDTHxHEIGHT:FILE.rgb...")
    }

    func run() throws {
        let arguments = self
        let hasher = PDQHasher(lumaPrecision: arguments.precision)
    print("width,height,iterations,ns_per_hash,hash")
    for input in arguments.inputs {
        let pixels = try [UInt8](Data(contentsOf: URL(fileURLWithPath: input.path)))
        guard pixels.count == input.width * input.height * 3 else {
            throw BenchmarkError("\(input.path): expected \(input.width * input.height * 3) bytes, found \(pixels.count)")
        }
        var result = hasher.hash(rgb: pixels, width: input.width, height: input.height)
        var iterations = 0
        let start = nanoseconds()
        let deadline = start + UInt64(arguments.minimumSeconds * 1e9)
        repeat {
            result = hasher.hash(rgb: pixels, width: input.width, height: input.height)
            iterations += 1
        } while nanoseconds() < deadline || iterations < 5
        let elapsed = Double(nanoseconds() - start)
        print("\(input.width),\(input.height),\(iterations),\(Int(elapsed / Double(iterations))),\(result.hash.hex)")
    }
    }
}
