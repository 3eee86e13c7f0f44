/// A configuration problem, naming the key path at fault (`streams[2].url`) and, when known, the
/// file and line, like a compiler diagnostic: `vigil.yml:14: streams[2].url: unsupported scheme "gopher"`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The config file, when the problem came from one.
    public var file: String?
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// Dotted key path with sequence indexes, e.g. `alerts.webhooks[0].url`; empty for the document.
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(file: String? = nil, line: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        var prefix = ""
        if let file {
            prefix = file + (line.map { ":\($0)" } ?? "") + ": "
        }
        return prefix + (path.isEmpty ? "" : path + ": ") + message
    }
}
