/// Which decoded frames a ``MediaReader`` hands out.
///
/// Codable: the daemon stores it with API-added streams (`{"keyframes":{}}`,
/// `{"interval":{"seconds":2}}`, `{"everyFrame":{}}`).
public enum SamplingMode: Sendable, Equatable, Codable {
    /// Decode and emit every frame.
    case everyFrame
    /// Decode key frames only: non-key packets never reach the decoder, so this is the cheapest mode.
    case keyframes
    /// Decode every frame but emit only the first frame at or after each multiple of `seconds`
    /// of presentation time.
    ///
    /// A frame falls in slot `floor((pts - start) / seconds)` and is emitted when its slot is later
    /// than the slot of the last emitted frame. Because the choice follows timestamps rather than
    /// frame counts, it stays correct on variable-frame-rate input. A zero, negative or non-finite
    /// interval emits every frame.
    case interval(seconds: Double)
}

extension SamplingMode {
    /// The config and API spelling: `keyframes`, `interval`, `every-frame`.
    public var name: String {
        switch self {
        case .keyframes: return "keyframes"
        case .interval: return "interval"
        case .everyFrame: return "every-frame"
        }
    }
}
