import ArgumentParser
import VigilHash
import VigilMedia

/// What `vigil` needs to know about an input before hashing it, decided once per input.
struct InputKind {
    var info: MediaInfo
    /// Luma arithmetic for this input: the `pdqhash` binding's for images, vPDQ's for video, unless
    /// the user chose.
    var lumaPrecision: LumaPrecision

    /// Opens `frames` far enough to describe it, refusing pictures too small for PDQ.
    static func describe(_ frames: FrameStream, path: String, luma: LumaChoice) async throws -> InputKind {
        let info = try await frames.info()
        guard info.width >= PDQHasher.minimumDimension, info.height >= PDQHasher.minimumDimension else {
            throw UnhashableInput(path: path, width: info.width, height: info.height)
        }
        let precision: LumaPrecision
        switch luma {
        case .auto: precision = info.isStillImage ? .double : .single
        case .single: precision = .single
        case .double: precision = .double
        }
        return InputKind(info: info, lumaPrecision: precision)
    }
}

/// The `--luma` option's values.
enum LumaChoice: String, CaseIterable, Sendable {
    case auto, single, double
}

extension LumaChoice: ExpressibleByArgument {}
