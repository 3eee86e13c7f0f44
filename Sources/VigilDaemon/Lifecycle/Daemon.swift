import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `vigil serve`: the daemon's core and its HTTP API under one service group.
///
/// SIGTERM and SIGINT start a graceful drain bounded by `shutdown_timeout`; SIGHUP re-reads the
/// config file and applies it (``DaemonCore/reload(_:)``). Tests run it in-process with
/// `handleSignals: false` and stop it with ``shutdown()``.
public final class Daemon: Sendable {
    /// The running parts.
    public let core: DaemonCore
    private let configPath: String?
    private let logger: Logger
    private let group = Mutex<ServiceGroup?>(nil)
    private let boundPort = PortAnnouncement()

    /// Builds the daemon (opens the state, loads banks); nothing runs until ``run(handleSignals:)``.
    public init(
        config: DaemonConfig, configPath: String? = nil, sources: any FrameSourceFactory = SessionFrameSourceFactory(),
        logger: Logger = Logger(label: "vigil")
    ) async throws(DaemonError) {
        core = try await DaemonCore(config: config, sources: sources, logger: logger)
        self.configPath = configPath
        self.logger = logger
        if !config.listen.isLoopback {
            logger.warning("the API listens beyond loopback; make sure a firewall or proxy guards it", metadata: ["listen": "\(config.listen)"])
        }
    }

    /// The port the API listens on, once it does (useful with `listen: 127.0.0.1:0`).
    public func port() async -> Int {
        await boundPort.wait()
    }

    /// Runs until shutdown; returns after the drain.
    public func run(handleSignals: Bool = true) async throws {
        let config = core.config
        let router = APIRouter.make(core: core)
        let bound = boundPort
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "vigil"),
            onServerRunning: { channel in
                bound.announce(channel.localAddress?.port ?? config.listen.port)
            },
            logger: logger)
        let serviceGroup = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                // Shut down in reverse order: the core drains first while the API still answers.
                .init(service: app),
                .init(service: core, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            cancellationSignals: [],
            logger: logger))
        group.withLock { $0 = serviceGroup }
        core.startStreams()
        let reloader = handleSignals ? Task { await self.reloadOnHangup() } : nil
        defer { reloader?.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await serviceGroup.run() }
            tasks.addTask {
                // Bound the drain: past shutdown_timeout after a shutdown request, stop waiting.
                try await self.waitForShutdownRequest(trapSignals: handleSignals)
                try await Task.sleep(for: .milliseconds(Int(config.shutdownTimeout * 1000)))
                self.logger.error("drain exceeded shutdown_timeout; exiting with work unfinished (alerts stay in the outbox)")
                throw DaemonError("drain exceeded shutdown_timeout")
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }

    private let shutdownRequested = Mutex<(requested: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Starts the graceful drain, as SIGTERM does.
    public func shutdown() async {
        markShutdownRequested()
        let serviceGroup = group.withLock { $0 }
        await serviceGroup?.triggerGracefulShutdown()
    }

    private func markShutdownRequested() {
        let waiters = shutdownRequested.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.requested = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func waitForShutdownRequest(trapSignals: Bool) async throws {
        let signalWatcher = trapSignals ? Task {
            for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                self.markShutdownRequested()
                break
            }
        } : nil
        defer { signalWatcher?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = shutdownRequested.withLock { state -> Bool in
                    if state.requested { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            markShutdownRequested()
        }
        try Task.checkCancellation()
    }

    /// SIGHUP: re-read the config file and apply it; a config with errors is refused (logged) and
    /// the running one stays.
    private func reloadOnHangup() async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals {
            guard let configPath else {
                logger.warning("SIGHUP ignored: the daemon was not started from a config file")
                continue
            }
            do {
                let config = try ConfigLoader.load(path: configPath)
                await core.reload(config)
            } catch {
                logger.error("SIGHUP: config not reloaded; the running configuration stays", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// The API's port, announced once the socket is bound, to whoever waits for it.
private final class PortAnnouncement: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    func announce(_ port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            state.port = port
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func wait() async -> Int {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}
