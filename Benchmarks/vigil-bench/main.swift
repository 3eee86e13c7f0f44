import Foundation
import VigilHash

/// Times Vigil's PDQ on raw RGB24 frames, single thread, printing one CSV line per frame size:
/// `width,height,iterations,nanoseconds_per_hash,hash`. The reference script prints the same columns
/// for the same files, so the two can be compared side by side in one run.
///
/// Usage: vigil-bench pdq [--precision single|double] [--min-seconds S] WIDTHxHEIGHT:FILE.rgb...
struct Arguments {
    var precision = LumaPrecision.double
    var minimumSeconds = 2.0
    var inputs: [(width: Int, height: Int, path: String)] = []

    init(_ arguments: [String]) throws {
        var remaining = arguments[...]
        guard remaining.popFirst() == "pdq" else { throw usage }
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
        NSError(domain: "vigil-bench", code: 2, userInfo: [NSLocalizedDescriptionKey:
            "usage: vigil-bench pdq [--precision single|double] [--min-seconds S] WIDTHxHEIGHT:FILE.rgb..."])
    }
}

func nanoseconds() -> UInt64 {
    DispatchTime.now().uptimeNanoseconds
}

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
    let hasher = PDQHasher(lumaPrecision: arguments.precision)
    print("width,height,iterations,ns_per_hash,hash")
    for input in arguments.inputs {
        let pixels = try [UInt8](Data(contentsOf: URL(fileURLWithPath: input.path)))
        guard pixels.count == input.width * input.height * 3 else {
            throw NSError(domain: "vigil-bench", code: 2, userInfo: [NSLocalizedDescriptionKey:
                "\(input.path): expected \(input.width * input.height * 3) bytes, found \(pixels.count)"])
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
} catch {
    FileHandle.standardError.write(Data("vigil-bench: \(error.localizedDescription)\n".utf8))
    exit(2)
}
