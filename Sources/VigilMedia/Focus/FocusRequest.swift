/// Times at which a session should sample a picture besides the ones its sampling mode takes:
/// where a candidate match predicts that a known video's own samples fall in this stream.
///
/// Exchanges share video hashes at one per second. A key frame of a copy usually falls between
/// two of them, and on moving content half a second costs more than a hundred bits; a picture
/// taken at the predicted time lines up with the known hash instead.
public struct FocusRequest: Sendable, Equatable, Codable {
    /// Session timeline times (``Frame/ptsSeconds``), ascending.
    public var times: [Double]

    /// Creates a request; `times` are sorted.
    public init(times: [Double]) {
        self.times = times.filter(\.isFinite).sorted()
    }

    /// Decodes a request (sent to an ingest child), sorted and filtered as ``init(times:)`` does.
    public init(from decoder: any Swift.Decoder) throws {
        self.init(times: try decoder.container(keyedBy: CodingKeys.self).decode([Double].self, forKey: .times))
    }

    private enum CodingKeys: String, CodingKey {
        case times
    }
}
