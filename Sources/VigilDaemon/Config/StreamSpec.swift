import VigilMedia

/// One stream to watch, from the config file or the API.
public struct StreamSpec: Sendable, Equatable, Codable {
    /// Unique id: letters, digits, `.`, `_` and `-`, at most 64 characters, starting alphanumeric.
    public var id: String
    /// Where to read it: `rtmp://`, `rtsp://`, `srt://`, `http(s)://` (HLS, MPEG-TS), `udp://`,
    /// or a local file (path or `file://`) where allowed.
    public var url: String
    /// Which frames to hash.
    public var sampling: SamplingMode
    /// When no key frame has come for this many seconds, sample one frame a second until key frames
    /// return, so long-GOP and intra-refresh streams are still watched; nil (`off` in the config)
    /// never falls back. Defaults to ``defaultMaxKeyframeGap``.
    public var maxKeyframeGap: Double?
    /// Where the stream was defined; API streams are stored and can be deleted over the API.
    public var origin: Origin
    /// Seconds without a sample, while the source answers, before a stream-health alert; nil
    /// takes `alerts.unwatchable_after`.
    public var unwatchableAfter: Double?

    /// Where a stream or bank was defined; written `config`, `api` or `discovery:<source>`.
    public enum Origin: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
        /// The config file: changed by editing it and reloading.
        case config
        /// The HTTP API: stored in the state database and restored at start.
        case api
        /// A media server's published streams (the `discovery` source named): watched while the
        /// server lists them, never stored.
        case discovery(String)

        /// The written form.
        public var rawValue: String {
            switch self {
            case .config: "config"
            case .api: "api"
            case .discovery(let source): "discovery:" + source
            }
        }

        /// Reads the written form.
        public init?(rawValue: String) {
            switch rawValue {
            case "config": self = .config
            case "api": self = .api
            case let text where text.hasPrefix("discovery:") && text.count > "discovery:".count:
                self = .discovery(String(text.dropFirst("discovery:".count)))
            default: return nil
            }
        }

        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let origin = Origin(rawValue: text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown origin \(text.debugDescription)"))
            }
            self = origin
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// The key-frame gap after which sampling falls back to once a second, unless configured.
    public static let defaultMaxKeyframeGap = SamplingPolicy.defaultMaxKeyframeGap

    /// Creates a spec.
    public init(
        id: String, url: String, sampling: SamplingMode = .keyframes,
        maxKeyframeGap: Double? = StreamSpec.defaultMaxKeyframeGap, origin: Origin = .config
    ) {
        self.id = id
        self.url = url
        self.sampling = sampling
        self.maxKeyframeGap = maxKeyframeGap
        self.origin = origin
    }

    /// Whether the source is a local file rather than a network stream.
    public var isFile: Bool { StreamURLPolicy.isFile(url) }
}
