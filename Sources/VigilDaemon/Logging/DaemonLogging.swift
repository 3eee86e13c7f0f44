import Logging

/// Sets up swift-log for the daemon process: text (swift-log's stream handler) or JSON lines, on
/// standard error, at the configured level. Call once, before the first logger is made.
public enum DaemonLogging {
    /// Bootstraps the process-wide logging system.
    public static func bootstrap(_ config: LogConfig) {
        let level = LogLevels.parse(config.level) ?? .info
        switch config.format {
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
