/// The watchdog systemd asks for (`WatchdogSec=` in the unit), read from `WATCHDOG_USEC` and
/// `WATCHDOG_PID` as sd_watchdog_enabled(3) does.
public struct SystemdWatchdog: Sendable, Equatable {
    /// The deadline systemd enforces between two `WATCHDOG=1`.
    public var timeout: Duration

    /// How often to ping: half the deadline, as systemd recommends, so that one late ping is
    /// not yet fatal.
    public var interval: Duration { timeout / 2 }

    /// Creates a watchdog with `timeout`.
    public init(timeout: Duration) {
        self.timeout = timeout
    }

    /// The watchdog `environment` asks process `pid` to keep; nil when none is asked for, or it is
    /// meant for another process (`WATCHDOG_PID` names a different pid: the variables were
    /// inherited, not addressed to us).
    ///
    /// - Throws: ``SystemdNotifyError`` when a variable is set but is not a number of the right kind.
    public static func from(environment: [String: String], pid: Int32) throws(SystemdNotifyError) -> SystemdWatchdog? {
        guard let usecText = environment["WATCHDOG_USEC"] else { return nil }
        if let pidText = environment["WATCHDOG_PID"] {
            guard let target = Int32(pidText), target > 0 else {
                throw SystemdNotifyError(variable: "WATCHDOG_PID", value: pidText, problem: "not a process id")
            }
            guard target == pid else { return nil }
        }
        // Bounded so that the Duration cannot overflow; systemd's own limit is far below it.
        guard let usec = UInt64(usecText), usec > 0, usec <= UInt64(Int64.max / 1000) else {
            throw SystemdNotifyError(variable: "WATCHDOG_USEC", value: usecText, problem: "not a positive number of microseconds")
        }
        return SystemdWatchdog(timeout: .microseconds(Int64(usec)))
    }
}
