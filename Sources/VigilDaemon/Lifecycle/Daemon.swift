import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// `vigil serve`: the daemon's core and its HTTP API under one service group.
///
/// One shutdown path, swift-service-lifecycle's: SIGTERM and SIGINT (or ``shutdown()``) start a
/// graceful drain, which the service group escalates to cancellation after `shutdown_timeout`
/// (the core then stops waiting; undelivered alerts stay in the outbox). SIGHUP re-reads the
/// config file and applies it (``DaemonCore/reload(_:)``). Tests run it in-process with
/// `handleSignals: false` and stop it with ``shutdown()``.
public final class Daemon: Sendable {
    /// The running parts.
    public let core: DaemonCore
    private let configPath: String?
    private let logger: Logger
    /// The running group, or whether a shutdown was asked for before it started.
    private let group = Mutex<(group: ServiceGroup?, shutdownRequested: Bool)>((nil, false))
    private let boundPort = PortAnnouncement()
    /// The API's TLS context when `api.tls` is set; replaced on SIGHUP.
    private let tls: APITLSContext?

    /// Builds the daemon (opens the state, loads banks); nothing runs until ``run(handleSignals:)``.
    public init(
        config: DaemonConfig, configPath: String? = nil, sources: (any FrameSourceFactory)? = nil,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "vigil")
    ) async throws(DaemonError) {
        // Certificates first: a daemon that cannot serve its API as configured does not start.
        tls = try config.api.tls.map { files throws(DaemonError) in try APITLSContext(files) }
        core = try await DaemonCore(config: config, sources: sources, clock: clock, logger: logger)
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

    /// Runs until shutdown; returns after the drain. With `systemd` (``SystemdNotifier``), tells
    /// systemd when the daemon is ready, alive, reloading and stopping.
    public func run(handleSignals: Bool = true, systemd: SystemdNotifier? = nil) async throws {
        let config = core.config
        let router = APIRouter.make(core: core)
        let bound = boundPort
        let server: HTTPServerBuilder
        if let tls {
            server = HTTPServerBuilder { responder in ReloadableTLSChannel(base: HTTP1Channel(responder: responder), tls: tls) }
        } else {
            server = .http1()
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: "vigil"),
            onServerRunning: { channel in
                bound.announce(channel.localAddress?.port ?? config.listen.port)
            },
            logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                // Shut down in reverse order: the core drains first while the API still answers.
                .init(service: app),
                .init(service: core, successTerminationBehavior: .gracefullyShutdownGroup),
            ] + (systemd.map { notifier in [.init(service: SystemdNotifyService(
                notifier: notifier, clock: core.clock, ready: { [core] in _ = await bound.wait(); return SystemdNotifyService.status(of: core) },
                probe: SystemdNotifyService.probe(core: core)), successTerminationBehavior: .ignore)] } ?? []),
            gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            cancellationSignals: [],
            logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int(config.shutdownTimeout * 1000))
        let serviceGroup = ServiceGroup(configuration: groupConfiguration)
        let requestedEarly = group.withLock { state -> Bool in
            state.group = serviceGroup
            return state.shutdownRequested
        }
        await core.startStreams()
        let reloader = handleSignals ? Task { await self.reloadOnHangup(systemd) } : nil
        defer { reloader?.cancel() }
        if requestedEarly { await serviceGroup.triggerGracefulShutdown() }
        try await serviceGroup.run()
    }

    /// Loads the API's certificate and key again (renewed files, same paths). Turning TLS on or
    /// off changes the listener, which takes a restart.
    public func reloadCertificates(_ files: TLSFiles?) {
        switch (tls, files) {
        case (let tls?, let files?):
            do {
                try tls.reload(files)
                logger.notice("API certificate reloaded", metadata: ["certificate": "\(files.certificate)"])
            } catch {
                logger.error("API certificate not reloaded; the running one stays", metadata: ["error": "\(error)"])
            }
        case (nil, nil):
            break
        default:
            logger.warning("turning api.tls on or off takes effect at the next restart")
        }
    }

    /// Starts the graceful drain, as SIGTERM does.
    public func shutdown() async {
        let serviceGroup = group.withLock { state -> ServiceGroup? in
            state.shutdownRequested = true
            return state.group
        }
        await serviceGroup?.triggerGracefulShutdown()
    }

    /// SIGHUP: re-read the config file and apply it; a config with errors is refused (logged) and
    /// the running one stays.
    private func reloadOnHangup(_ systemd: SystemdNotifier?) async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals {
            guard let configPath else {
                logger.warning("SIGHUP ignored: the daemon was not started from a config file")
                continue
            }
            do {
                let config = try ConfigLoader.load(path: configPath)
                systemd?.reloading()
                await core.reload(config)
                reloadCertificates(config.api.tls)
                systemd?.ready(status: SystemdNotifyService.status(of: core))
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
