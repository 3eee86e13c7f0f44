import ArgumentParser
import Foundation
import Logging
import VigilDaemon

/// `vigil serve --config vigil.yml`: the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Watch live streams for known material and deliver alerts (the daemon).",
        discussion: """
            Reads the YAML config (see Samples/vigil.yml; ${NAME} takes a value from the environment), \
            loads the banks, starts the streams and the HTTP API, and delivers alerts through a durable \
            outbox in state_dir. SIGTERM or SIGINT drains and exits; SIGHUP reloads the config and banks.
            --check-config validates the config and loads the banks, then exits: 0 when valid, 2 otherwise.
            """)

    @Option(help: ArgumentHelp("The YAML config file.", valueName: "FILE"))
    var config: String

    @Flag(help: "Validate the config and load the banks, then exit.")
    var checkConfig = false

    @Option(help: ArgumentHelp("Log format, overriding the config: text or json.", valueName: "FORMAT"))
    var logFormat: String?

    @Option(help: ArgumentHelp("Log level, overriding the config: trace, debug, info, notice, warning, error, critical.", valueName: "LEVEL"))
    var logLevel: String?

    func validate() throws {
        if let logFormat, LogConfig.Format(rawValue: logFormat) == nil {
            throw ValidationError("--log-format must be text or json.")
        }
        if let logLevel, LogLevels.parse(logLevel) == nil {
            throw ValidationError("--log-level must be one of \(LogLevels.names.joined(separator: ", ")).")
        }
    }

    func run() async throws {
        AllocatorArenas.limitToCores()
        var settings: DaemonConfig
        do {
            settings = try ConfigLoader.load(path: config)
        } catch {
            FileHandle.standardError.write(Data("vigil: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let logFormat, let format = LogConfig.Format(rawValue: logFormat) { settings.log.format = format }
        if let logLevel { settings.log.level = logLevel.lowercased() }
        if checkConfig {
            try await check(settings)
            return
        }
        DaemonLogging.bootstrap(settings.log)
        let logger = Logger(label: "vigil")
        let daemon: Daemon
        do {
            daemon = try await Daemon(config: settings, configPath: config, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("vigil: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            try await daemon.run(systemd: SystemdNotifier.fromEnvironment(logger: logger))
        } catch {
            logger.critical("stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    /// Validates without starting anything: the config already parsed, now the banks.
    private func check(_ settings: DaemonConfig) async throws {
        var failed = false
        for (index, bank) in settings.banks.enumerated() {
            do {
                let stats = try await BankCheck.load(bank)
                print("banks[\(index)] \(bank.name): \(stats)")
            } catch {
                failed = true
                FileHandle.standardError.write(Data("vigil: \(config): banks[\(index)] (\(bank.name)): \(error)\n".utf8))
            }
        }
        print("streams: \(settings.streams.count), sinks: \(settings.alerts.webhooks.count) webhook(s)"
            + (settings.alerts.jsonl != nil ? ", jsonl" : "") + (settings.alerts.stdout ? ", stdout" : "")
            + "; listen \(settings.listen)\(settings.listen.isLoopback ? "" : " (NOT loopback)")")
        if failed { throw ExitCode(2) }
        print("\(config): OK")
    }
}
