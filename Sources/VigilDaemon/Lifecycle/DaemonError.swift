/// Why the daemon could not start.
public struct DaemonError: Error, Sendable, CustomStringConvertible {
    /// The problem, naming the config key or file at fault.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
