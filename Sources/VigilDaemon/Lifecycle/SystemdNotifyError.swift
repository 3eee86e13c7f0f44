/// Why systemd's notification socket cannot be used. The daemon logs it and runs on without
/// notifications: a wrong `NOTIFY_SOCKET` must never stop it watching.
public struct SystemdNotifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable at fault (`NOTIFY_SOCKET`, `WATCHDOG_USEC`, `WATCHDOG_PID`).
    public var variable: String
    /// Its value, as found.
    public var value: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error.
    public init(variable: String, value: String, problem: String) {
        self.variable = variable
        self.value = value
        self.problem = problem
    }

    public var description: String { "\(variable)=\(value.debugDescription): \(problem)" }
}
