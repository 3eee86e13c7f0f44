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
        return InputKind(info: info, lumaPrecision: luma.precision(isStillImage: info.isStillImage))
    }
}

/// The `--luma` option's values.
enum LumaChoice: String, CaseIterable, Sendable {
    case auto, single, double
}

extension LumaChoice: ExpressibleByArgument {}

extension LumaChoice {
    /// The luma arithmetic for an input of this kind.
    func precision(isStillImage: Bool) -> LumaPrecision {
        switch self {
        case .auto: return isStillImage ? .double : .single
        case .single: return .single
        case .double: return .double
        }
    }
}
