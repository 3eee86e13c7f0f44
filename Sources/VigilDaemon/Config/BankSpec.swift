import VigilMatch

/// One hash bank, from the config file or the API.
public struct BankSpec: Sendable, Equatable, Codable {
    /// Unique name, reported in alerts.
    public var name: String
    /// Files and folders the bank is loaded from (see `BankLoader`).
    public var paths: [String]
    /// Largest Hamming distance that counts as a match (0...256).
    public var threshold: Int
    /// Frames below this PDQ quality are not matched against this bank (0...100).
    public var minQuality: Int
    /// Where the bank was defined.
    public var origin: StreamSpec.Origin
    /// `match` (known material) or `allow` (known benign pictures that silence matches).
    public var role: BankRole = .match

    /// Creates a spec with PDQ's customary threshold and quality floor.
    public init(name: String, paths: [String], threshold: Int = 31, minQuality: Int = 50, origin: StreamSpec.Origin = .config) {
        self.name = name
        self.paths = paths
        self.threshold = threshold
        self.minQuality = minQuality
        self.origin = origin
    }

    enum CodingKeys: String, CodingKey {
        case name, paths, threshold, minQuality, origin, role
    }

    /// Reads a stored spec; one stored before banks had roles is a match bank.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        paths = try container.decode([String].self, forKey: .paths)
        threshold = try container.decode(Int.self, forKey: .threshold)
        minQuality = try container.decode(Int.self, forKey: .minQuality)
        origin = try container.decode(StreamSpec.Origin.self, forKey: .origin)
        role = try container.decodeIfPresent(BankRole.self, forKey: .role) ?? .match
    }
}
