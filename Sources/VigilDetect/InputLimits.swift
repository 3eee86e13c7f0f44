import VigilMedia

/// Bounds on one input, for work that must refuse what is too big rather than read part of it
/// (the daemon's scan jobs): checked once the input is opened, before its first frame is hashed.
public struct InputLimits: Sendable, Equatable {
    /// Most bytes, where the input's size is known (a file, an HTTP answer with a length).
    public var maxBytes: Int64?
    /// Most seconds of media. An input whose duration is known and longer is refused; one whose
    /// duration is unknown is read this far and no further.
    public var maxSeconds: Double?

    /// Creates limits.
    public init(maxBytes: Int64? = nil, maxSeconds: Double? = nil) {
        self.maxBytes = maxBytes
        self.maxSeconds = maxSeconds
    }

    /// Throws when `info` (for `input`, as shown) is over a limit.
    public func check(_ info: MediaInfo, input: String) throws(InputOverLimit) {
        if let maxBytes, let size = info.byteSize, size > maxBytes {
            throw InputOverLimit(input: input, what: "\(size) bytes", limit: "\(maxBytes) bytes")
        }
        if let maxSeconds, let duration = info.durationSeconds, duration > maxSeconds {
            throw InputOverLimit(
                input: input, what: "\(Self.seconds(duration)) of media", limit: "\(Self.seconds(maxSeconds))")
        }
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? "\(Int(value)) s" : "\(VerdictJSON.rounded(value, places: 1)) s"
    }
}

/// An input refused by its ``InputLimits``.
public struct InputOverLimit: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input, without credentials.
    public var input: String
    /// What it has too much of.
    public var what: String
    /// The limit.
    public var limit: String

    public var description: String {
        "\(input): the input has \(what); the limit is \(limit)"
    }
}
