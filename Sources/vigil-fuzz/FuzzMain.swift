import Foundation
import VigilFuzzing

// libFuzzer's driver: `vigil-fuzz TARGET [libFuzzer options] [corpus folders]`. Built only with
// `make fuzz` (VIGIL_FUZZ=1, -sanitize=fuzzer), which links libFuzzer.

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target chosen on the command line; set once, before the driver starts.
nonisolated(unsafe) private var selected = FuzzTarget.bank

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    selected.run(data.map { Data(bytes: $0, count: size) } ?? Data())
    return 0
}

/// The executable's entry point (SwiftPM links `main` to it).
@_cdecl("vigil_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
    guard argc >= 2, let argv, let name = argv[1].map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("usage: vigil-fuzz TARGET [libFuzzer options] [corpus...]; targets: \(names)\n".utf8))
        return 2
    }
    selected = target
    // libFuzzer reads the rest: the program name, then its own options and folders.
    argv[1] = argv[0]
    var count = argc - 1
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv + 1
    return runDriver(&count, &arguments, fuzzOneInput)
}
