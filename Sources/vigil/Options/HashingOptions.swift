import ArgumentParser
import Foundation
import VigilDetect

/// How frames are hashed; shared by `hash` and `scan`.
struct HashingOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Luma arithmetic: 'double' matches the pdqhash binding (python-threatexchange, HMA image lists), \
        'single' matches Meta's C++ library and vPDQ. 'auto' uses double for images, single for video.
        """, valueName: "auto|single|double"))
    var luma: LumaChoice = .auto

    @Option(help: "Frames hashed in parallel (default: number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if jobs < 1 {
            throw ValidationError("--jobs must be at least 1.")
        }
    }
}

extension LumaChoice: ExpressibleByArgument {}
