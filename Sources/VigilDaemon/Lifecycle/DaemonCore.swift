import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VigilAlerts
import VigilMatch
import VigilMedia

/// The daemon's parts wired together: streams → hashing pool → matcher → incident policy →
/// outbox → sinks, plus the state the API reads and changes.
///
/// Runs as a `Service`: ``run()`` works until graceful shutdown, then drains in order — stop
/// reading streams, hash the frames already queued, commit the alerts they raise, stop delivery
/// (undelivered alerts stay in the outbox for the next start) — and returns.
public final class DaemonCore: Service, Sendable {
    /// The configuration in force (replaced by ``reload(_:)``).
    public var config: DaemonConfig { configuration.withLock { $0 } }
    /// The alert outbox and sinks.
    public let hub: DeliveryHub
    /// The banks.
    public let banks: BankRegistry
    /// The stream sessions.
    public let supervisor: StreamSupervisor
    /// The metrics registry.
    public let metrics: DaemonMetrics
    /// API-added streams and banks.
    let store: DaemonStore
    let pool: HashingPool
    let pipeline: AlertPipeline
    let logger: Logger
    private let configuration: Mutex<DaemonConfig>
    private let token: HotSwappable<String>
    private let httpClient: HTTPClient
    /// Paces periodic work; tests give their own.
    let clock: any Clock<Duration>
    /// How many streams may be sampled densely (focus) at once.
    private let focusBudget = Mutex(FocusBudget(maxStreams: DaemonCore.maximumFocusingStreams))
    /// Seconds on `clock` since the daemon started: the focus budget's time.
    private let elapsedSeconds: @Sendable () -> Double

    /// Most streams one daemon accepts, config and API together.
    public static let maximumStreams = 2000
    /// Most banks one daemon accepts.
    public static let maximumBanks = 256
    /// Most streams focusing at once: focus decodes every picture of a stream while it lasts,
    /// about the cost of one more 1080p decode per core each.
    public static let maximumFocusingStreams = max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)

    /// Opens the state database, loads the banks and restores API-added streams and banks.
    ///
    /// - Throws: ``DaemonError`` when the state database cannot be opened or a config bank cannot
    ///   be loaded (a daemon silently matching against nothing would be worse than one that stops).
    public init(
        config: DaemonConfig, sources: any FrameSourceFactory = SessionFrameSourceFactory(),
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "vigil")
    ) async throws(DaemonError) {
        self.logger = logger
        self.clock = clock
        elapsedSeconds = Self.secondsSinceNow(on: clock)
        configuration = Mutex(config)
        token = HotSwappable(config.apiToken)
        metrics = DaemonMetrics()
        let outbox: Outbox
        do {
            outbox = try Outbox(path: config.databasePath)
            store = try DaemonStore(database: outbox.database)
        } catch {
            throw DaemonError("state_dir: cannot open the state database \(config.databasePath): \(error)")
        }
        let client = WebhookSink.makeHTTPClient()
        httpClient = client
        var sinks: [any AlertSink] = config.alerts.webhooks.map {
            WebhookSink(name: $0.name, settings: .init(url: $0.url, secret: $0.secret, timeout: .milliseconds(Int($0.timeout * 1000))), client: client)
        }
        if let jsonl = config.alerts.jsonl { sinks.append(JSONLSink(path: jsonl)) }
        if config.alerts.stdout { sinks.append(StdoutSink()) }
        hub = DeliveryHub(
            outbox: outbox, sinks: sinks,
            settings: .init(retry: config.alerts.retry, deadLetterAfter: config.alerts.deadLetterAfter),
            metrics: metrics.delivery, logger: logger)
        banks = BankRegistry(metrics: metrics, logger: logger)
        let metrics = metrics
        pool = HashingPool(
            width: config.hashing.workers, perStreamCapacity: config.hashing.queuePerStream, maxQueued: config.hashing.maxQueued,
            onDepth: { metrics.hashingQueueDepth.set($0) })
        pipeline = AlertPipeline(settings: .init(window: config.alerts.window), hub: hub, metrics: metrics, logger: logger, clock: clock)
        supervisor = StreamSupervisor(factory: sources, pool: pool, metrics: metrics, logger: logger)

        for (index, bank) in config.banks.enumerated() {
            do {
                try await banks.add(bank)
            } catch {
                try? await httpClient.shutdown()
                throw DaemonError("banks[\(index)] (\(bank.name)): \(error)")
            }
        }
        do {
            for bank in try await store.banks() where !config.banks.contains(where: { $0.name == bank.name }) {
                // A stored bank whose files went away must not stop the daemon; it shows its error.
                _ = try? await banks.add(bank)
            }
        } catch {
            throw DaemonError("state_dir: cannot read stored banks: \(error)")
        }
    }

    /// The bearer token in force.
    var apiToken: String { token.load() }

    // MARK: Running

    public func run() async throws {
        let matcher = FrameMatcher(banks: banks, metrics: metrics)
        let (pool, supervisor, metrics, pipeline) = (pool, supervisor, metrics, pipeline)
        await startStreams()
        logger.info("vigil serving", metadata: [
            "streams": "\(supervisor.specs.count)", "banks": "\(banks.specs.count)", "sinks": "\(hub.sinkNames.joined(separator: ","))",
        ])
        let delivery = Task { await hub.run() }
        let housekeeping = Task { await self.housekeeping() }
        let hashing = Task {
            await pool.run(work: matcher.match) { sample, matches in
                supervisor.recordHashed(sample)
                metrics.framesHashed.increment()
                if let focus = await pipeline.observe(sample, matches: matches) { self.focus(sample, on: focus) }
            }
        }
        let committing = Task { await pipeline.run() }

        try? await gracefulShutdown()

        // Drain: stop reading, finish the hashing already queued, commit what it raised. Past
        // shutdown_timeout the service group cancels this task: then stop waiting at once.
        let started = ContinuousClock.now
        let tasks = [delivery, housekeeping, hashing, committing]
        await withTaskCancellationHandler {
            logger.notice("draining: stopping streams")
            await supervisor.stopAll()
            pool.finish()
            await hashing.value
            await pipeline.finish()
            await committing.value
            housekeeping.cancel()
            delivery.cancel()
            await delivery.value
            await housekeeping.value
        } onCancel: {
            for task in tasks { task.cancel() }
        }
        if Task.isCancelled {
            logger.error("drain exceeded shutdown_timeout; exiting with work unfinished (alerts stay in the outbox)")
        }
        try? await httpClient.shutdown()
        let pending = (try? await hub.outbox.sinkSummaries().reduce(0) { $0 + $1.pending }) ?? -1
        logger.notice("drained", metadata: [
            "seconds": "\(String(format: "%.3f", (ContinuousClock.now - started) / .seconds(1)))",
            "undelivered_alerts_kept": "\(pending)",
        ])
    }

    /// Starts the config and stored streams, once. ``Daemon`` calls it before the API answers, so
    /// that a client never sees a partial list; ``run()`` calls it too when used on its own.
    /// Frames wait in the bounded hashing queue until ``run()`` starts the workers.
    public func startStreams() async {
        guard !streamsStarted.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for stream in await startupStreams() { supervisor.start(stream) }
    }
    private let streamsStarted = Atomic<Bool>(false)

    /// Config streams first, then API-added ones not shadowed by a config stream.
    private func startupStreams() async -> [StreamSpec] {
        let configured = config.streams
        let stored: [StreamSpec]
        do {
            stored = try await store.streams()
        } catch {
            // The config streams are still watched; the stored ones wait for the database.
            logger.critical("cannot read API-added streams from the state database", metadata: ["error": "\(error)"])
            stored = []
        }
        return configured + stored.filter { stored in !configured.contains { $0.id == stored.id } }
    }

    /// Bank file polling, until cancelled or graceful shutdown begins. A reload (SIGHUP) that
    /// changes the interval restarts the timer at the new one; 0 turns polling off.
    private func housekeeping() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let interval = self.config.bankPollInterval
                // Off (0): check once a second whether a reload turned polling on.
                let period = interval > 0 ? interval : 1
                await repeatEvery(.milliseconds(Int(period * 1000)), on: self.clock) {
                    if interval > 0 { await self.banks.reloadChanged() }
                    return self.config.bankPollInterval == interval
                }
            }
        }
    }

    // MARK: Changes (API, SIGHUP)

    /// Starts watching a stream and, for API streams, stores it so it survives restarts.
    public func addStream(_ spec: StreamSpec) async throws(APIError) {
        guard supervisor.spec(id: spec.id) == nil else {
            throw APIError(.conflict, "a stream with id \(spec.id.debugDescription) already exists")
        }
        guard supervisor.specs.count < Self.maximumStreams else {
            throw APIError(.tooManyRequests, "the daemon already watches \(Self.maximumStreams) streams")
        }
        if spec.origin == .api {
            let stored: Bool
            do {
                stored = try await store.insert(spec)
            } catch {
                logger.error("cannot store stream", metadata: ["stream": "\(spec.id)", "error": "\(error)"])
                throw APIError(.internalServerError, "cannot store the stream; see the daemon's log")
            }
            guard stored else { throw APIError(.conflict, "a stream with id \(spec.id.debugDescription) already exists") }
        }
        guard supervisor.start(spec) else {
            if spec.origin == .api { _ = try? await store.removeStream(id: spec.id) }
            throw APIError(.serviceUnavailable, "the daemon is shutting down")
        }
    }

    /// Stops and forgets an API-added stream.
    public func removeStream(id: String) async throws(APIError) {
        guard let spec = supervisor.spec(id: id) else { throw APIError(.notFound, "no stream with id \(id.debugDescription)") }
        guard spec.origin == .api else {
            throw APIError(.conflict, "stream \(id.debugDescription) is defined in the config file; remove it there and reload (SIGHUP)")
        }
        do {
            _ = try await store.removeStream(id: id)
        } catch {
            throw APIError(.internalServerError, "cannot remove the stored stream; see the daemon's log")
        }
        await supervisor.stop(id: id)
        await pipeline.streamRemoved(id)
    }

    /// Loads and stores an API-added bank.
    public func addBank(_ spec: BankSpec) async throws(APIError) -> BankStatus {
        guard !banks.specs.contains(where: { $0.name == spec.name }) else {
            throw APIError(.conflict, "a bank named \(spec.name.debugDescription) already exists")
        }
        guard banks.specs.count < Self.maximumBanks else {
            throw APIError(.tooManyRequests, "the daemon already has \(Self.maximumBanks) banks")
        }
        let roots = config.api.bankRoots
        guard !roots.isEmpty else {
            throw APIError(.forbidden, "adding banks over the API is disabled; list allowed folders in api.bank_roots")
        }
        for path in spec.paths where !Self.isInside(path, roots: roots) {
            throw APIError(.forbidden, "path \(path.debugDescription) is outside api.bank_roots")
        }
        let status: BankStatus
        do {
            status = try await banks.add(spec)
        } catch {
            banks.remove(name: spec.name)
            throw APIError(.unprocessableContent, "cannot load the bank: \(error)")
        }
        do {
            _ = try await store.insert(spec)
        } catch {
            banks.remove(name: spec.name)
            throw APIError(.internalServerError, "cannot store the bank; see the daemon's log")
        }
        return status
    }

    /// Forgets an API-added bank.
    public func removeBank(name: String) async throws(APIError) {
        guard let spec = banks.specs.first(where: { $0.name == name }) else {
            throw APIError(.notFound, "no bank named \(name.debugDescription)")
        }
        guard spec.origin == .api else {
            throw APIError(.conflict, "bank \(name.debugDescription) is defined in the config file; remove it there and reload (SIGHUP)")
        }
        _ = try? await store.removeBank(name: name)
        banks.remove(name: name)
    }

    /// Reads a bank's files again; the old version serves until the new one is ready, and stays if
    /// the new one fails.
    public func reloadBank(name: String) async throws(APIError) -> BankStatus {
        guard banks.specs.contains(where: { $0.name == name }) else {
            throw APIError(.notFound, "no bank named \(name.debugDescription)")
        }
        do {
            return try await banks.reload(name: name)
        } catch {
            throw APIError(.unprocessableContent, "reload failed, the previous version keeps serving: \(error)")
        }
    }

    /// Applies a re-read config (SIGHUP): the token, banks and config streams. Listening address,
    /// state folder, sinks and hashing settings need a restart; a change to them is logged.
    public func reload(_ new: DaemonConfig) async {
        let old = config
        configuration.withLock { $0 = new }
        token.store(new.apiToken)
        if old.listen != new.listen || old.stateDirectory != new.stateDirectory || old.alerts != new.alerts || old.hashing != new.hashing {
            logger.warning("listen, state_dir, alerts and hashing changes take effect at the next restart")
        }
        // Banks: drop removed config banks, (re)load the others.
        for spec in banks.specs where spec.origin == .config && !new.banks.contains(where: { $0.name == spec.name }) {
            banks.remove(name: spec.name)
        }
        for spec in new.banks {
            do {
                try await banks.add(spec)
            } catch {
                logger.error("bank reload failed; the previous version keeps serving", metadata: ["bank": "\(spec.name)", "error": "\(error)"])
            }
        }
        // Streams: stop removed or changed config streams, start new or changed ones.
        for running in supervisor.specs where running.origin == .config {
            if new.streams.first(where: { $0.id == running.id }) != running {
                await supervisor.stop(id: running.id)
                await pipeline.streamRemoved(running.id)
            }
        }
        for spec in new.streams where supervisor.spec(id: spec.id) == nil {
            supervisor.start(spec)
        }
        logger.notice("configuration reloaded", metadata: ["streams": "\(supervisor.specs.count)", "banks": "\(banks.specs.count)"])
    }

    private static func isInside(_ path: String, roots: [String]) -> Bool {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return roots.contains { root in
            let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            return resolved == base || resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
    }

    /// A reading of `clock` in seconds from now on (the existential opened once, here).
    private static func secondsSinceNow<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Double {
        let start = clock.now
        return {
            let elapsed = start.duration(to: clock.now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        }
    }

    /// Passes detection's focus request to the sample's source, if the daemon-wide budget has room.
    private func focus(_ sample: StreamSample, on request: FocusRequest) {
        guard let feedback = sample.feedback, let last = request.times.last else { return }
        let now = elapsedSeconds()
        let seconds = last - sample.frame.ptsSeconds
        let admitted = focusBudget.withLock { $0.admit(stream: sample.stream, now: now, seconds: seconds) }
        metrics.focusRequests(admitted: admitted).increment()
        if admitted { feedback.focus(request) }
    }
}
