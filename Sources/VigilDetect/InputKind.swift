import VigilHash
import VigilMedia

/// What needs to be known about an input before hashing it, decided once per input.
public struct InputKind: Sendable {
    /// What the input's first stream is.
    public var info: MediaInfo
    /// Luma arithmetic for this input: the `pdqhash` binding's for images, vPDQ's for video, unless
    /// the user chose.
    public var lumaPrecision: LumaPrecision

    /// Waits for `session` to open its input and describes it, refusing pictures too small for PDQ.
    public static func describe(_ session: some SampledInput, path: String, luma: LumaChoice) async throws -> InputKind {
        let info = try await session.opened()
        guard info.width >= PDQHasher.minimumDimension, info.height >= PDQHasher.minimumDimension else {
            throw UnhashableInput(path: path, width: info.width, height: info.height)
        }
        return InputKind(info: info, lumaPrecision: luma.precision(isStillImage: info.isStillImage))
    }
}

/// Which luma arithmetic to hash with (the `--luma` option).
public enum LumaChoice: String, CaseIterable, Sendable {
    /// Double for still images (HMA image lists), single for video (vPDQ).
    case auto
    /// Meta's C++ library and vPDQ.
    case single
    /// The `pdqhash` binding (python-threatexchange, HMA image lists).
    case double
}

extension LumaChoice {
    /// The luma arithmetic for an input of this kind.
    public func precision(isStillImage: Bool) -> LumaPrecision {
        switch self {
        case .auto: return isStillImage ? .double : .single
        case .single: return .single
        case .double: return .double
        }
    }
}
