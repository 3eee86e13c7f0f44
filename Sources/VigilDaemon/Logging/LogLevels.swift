import Logging

/// Log level names as the config and command line spell them.
public enum LogLevels {
    /// Accepted names, most verbose first.
    public static let names = Logger.Level.allCases.map(\.rawValue)

    /// The level named `text` (case-insensitive), nil when unknown.
    public static func parse(_ text: String) -> Logger.Level? {
        Logger.Level(rawValue: text.lowercased())
    }
}
