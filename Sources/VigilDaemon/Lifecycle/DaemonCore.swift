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
    /// The media servers whose published streams are watched.
    let discovery: StreamDiscovery
    /// API-added streams (in a fleet, every stream).
    let streamStore: any StreamStore
    /// API-added banks.
    let bankStore: any BankStore
    /// Scan jobs (in a fleet, the fleet's queue).
    let scanStore: any ScanJobStore
    /// Runs this node's share of the scan jobs.
    let scans: ScanJobRunner
    /// This node's part in the fleet; nil for a single node.
    let fleet: FleetCoordinator?
    /// In a fleet, the API banks shared through the database.
    let fleetBanks: FleetBankSync?
    /// Keeps the fleet database's connections, until the end of ``run()``.
    private let fleetConnections: Task<Void, Never>?
    let pool: HashingPool
    let pipeline: AlertPipeline
    let logger: Logger
    private let configuration: Mutex<DaemonConfig>
    private let tokens: HotSwappable<[APIToken]>
    /// The `scans` settings, for the scan runner's threads.
    private let scanSettings: HotSwappable<ScansConfig>
    private let httpClient: HTTPClient
    /// Paces periodic work; tests give their own.
    let clock: any Clock<Duration>
    /// How many streams may be sampled densely (focus) at once.
    private let focusBudget = Mutex(FocusBudget(maxStreams: DaemonCore.maximumFocusingStreams))
    /// Seconds on `clock` since the daemon started: the focus budget's time.
    private let elapsedSeconds: @Sendable () -> Double

    /// Most banks one daemon accepts.
    public static let maximumBanks = 256
    /// Most streams focusing at once: focus decodes every picture of a stream while it lasts,
    /// about the cost of one more 1080p decode per core each.
    public static let maximumFocusingStreams = max(2, 2 * ProcessInfo.processInfo.activeProcessorCount)

    /// Opens the state database, loads the banks and restores API-added streams and banks.
    ///
    /// - Throws: ``DaemonError`` when the process cannot open enough files for
    ///   `limits.max_streams`, the state database cannot be opened or a config bank cannot be
    ///   loaded (a daemon silently matching against nothing would be worse than one that stops).
    public init(
        config: DaemonConfig, sources: (any FrameSourceFactory)? = nil,
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "vigil")
    ) async throws(DaemonError) {
        let sources = sources ?? Self.sources(for: config, logger: logger)
        self.logger = logger
        self.clock = clock
        elapsedSeconds = secondsElapsed(on: clock)
        configuration = Mutex(config)
        tokens = HotSwappable(config.apiTokens)
        metrics = DaemonMetrics()
        try FileDescriptorBudget.ensure(streams: config.limits.maxStreams)
        let storage = try DaemonStorage(config: config, logger: logger)
        streamStore = storage.streams
        bankStore = storage.banks
        scanStore = storage.scans
        let client = WebhookSink.makeHTTPClient()
        httpClient = client
        var delivery = DeliveryWorker.Settings(retry: config.alerts.retry, deadLetterAfter: config.alerts.deadLetterAfter)
        if let cluster = config.cluster {
            // Idle workers ask for their sink's lease often enough to keep it, or take it over.
            delivery.idlePoll = min(delivery.idlePoll, cluster.leaseTTL / 3)
        }
        hub = DeliveryHub(
            outbox: storage.outbox, sinks: Self.sinks(config.alerts, client: client), settings: delivery, metrics: metrics.delivery,
            faults: StorageFaults(factory: metrics.factory), logger: logger)
        if let setAside = storage.setAside {
            // Stays reported for this run: what the old file held needs a person to look at it.
            hub.faults.report(Self.stateDatabase, error: DaemonError("damaged; set aside as \(setAside)"))
        }
        banks = BankRegistry(metrics: metrics, logger: logger)
        let metrics = metrics
        pool = HashingPool(
            width: config.hashing.workers, perStreamCapacity: config.hashing.queuePerStream, maxQueued: config.hashing.maxQueued,
            onDepth: { metrics.hashingQueueDepth.set($0) })
        pipeline = AlertPipeline(
            settings: .init(window: config.alerts.window), hub: hub, metrics: metrics, logger: logger, clock: clock,
            spool: storage.spool)
        let digests = FileStreamDigests(banks: banks, pipeline: pipeline, logger: logger)
        supervisor = StreamSupervisor(factory: sources, pool: pool, metrics: metrics, logger: logger, started: { digests.check($0) })
        let registry = banks
        let scanSettings = HotSwappable(config.scans)
        self.scanSettings = scanSettings
        scans = ScanJobRunner(
            store: storage.scans, node: config.cluster?.nodeID ?? "local", settings: { scanSettings.load() },
            matchers: { registry.loaded().map(\.matcher) }, hashing: pool.background,
            isolation: config.ingest.isolation
                ? IsolatedScanInput.Settings(executable: config.ingest.childExecutable, memoryLimit: config.ingest.memoryPerProcess) : nil,
            pipeline: pipeline, metrics: metrics,
            clock: clock, staleAfter: config.cluster?.leaseTTL, logger: logger)
        let discovered: any DiscoveredStreams = storage.fleet.map { FleetDiscoveredStreams(leases: $0.leases) }
            ?? LocalDiscoveredStreams(supervisor: supervisor, pipeline: pipeline)
        discovery = StreamDiscovery(
            client: DiscoveryClient(client: client), target: discovered, metrics: metrics, clock: clock, logger: logger)
        do throws(DaemonError) {
            try await Self.loadBanks(config, into: banks, stored: storage.fleet == nil ? storage.banks : nil, logger: logger)
            guard let cluster = config.cluster, let fleetStorage = storage.fleet else {
                (fleet, fleetBanks, fleetConnections) = (nil, nil, nil)
                return
            }
            (fleet, fleetBanks, fleetConnections) = try await Self.joinFleet(
                fleetStorage, cluster: cluster, config: config, supervisor: supervisor, pipeline: pipeline, banks: banks,
                metrics: metrics, clock: clock, logger: logger)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The sinks `alerts` configures.
    private static func sinks(_ alerts: AlertsConfig, client: HTTPClient) -> [any AlertSink] {
        var sinks: [any AlertSink] = alerts.webhooks.map {
            WebhookSink(name: $0.name, settings: .init(url: $0.url, secret: $0.secret, timeout: .milliseconds(Int($0.timeout * 1000))), client: client)
        }
        if let jsonl = alerts.jsonl { sinks.append(JSONLSink(path: jsonl)) }
        if alerts.stdout { sinks.append(StdoutSink()) }
        return sinks
    }

    /// Loads the config banks (any failure stops the start), then the API-added ones of a single
    /// node's `stored` banks (a fleet's come from its database, through ``FleetBankSync``).
    private static func loadBanks(
        _ config: DaemonConfig, into banks: BankRegistry, stored: (any BankStore)?, logger: Logger
    ) async throws(DaemonError) {
        for (index, bank) in config.banks.enumerated() {
            do {
                try await banks.add(bank)
            } catch {
                throw DaemonError("banks[\(index)] (\(bank.name)): \(error)")
            }
        }
        guard let stored else { return }
        let specs: [BankSpec]
        do {
            specs = try await stored.banks()
        } catch {
            throw DaemonError("state_dir: cannot read stored banks: \(error)")
        }
        for bank in specs where !config.banks.contains(where: { $0.name == bank.name }) {
            // The config may have changed since the bank was added: the API's rules apply again.
            if let refusal = apiBankRefusal(bank, api: config.api) {
                logger.error("stored API bank not loaded", metadata: ["bank": "\(bank.name)", "reason": "\(refusal)"])
                continue
            }
            // A stored bank whose files went away must not stop the daemon; it shows its error.
            do {
                try await banks.add(bank)
            } catch {
                logger.error("stored API bank cannot be loaded", metadata: ["bank": "\(bank.name)", "error": "\(error)"])
            }
        }
    }

    /// How the daemon reads streams unless told otherwise: live streams in child processes
    /// (`ingest.isolation`), each under its own address-space limit; local files, and every
    /// stream when isolation is off, in sessions of its own. All share one memory budget
    /// (`limits.memory`) and one limit on connections opening at once (`limits.concurrent_opens`).
    private static func sources(for config: DaemonConfig, logger: Logger) -> any FrameSourceFactory {
        let session = SessionFrameSource.Settings(
            memoryBudget: MemoryBudget(limit: config.limits.memoryBytes),
            connectionGate: ConnectionGate(limit: config.limits.concurrentOpens))
        guard config.ingest.isolation else { return SessionFrameSourceFactory(settings: session, logger: logger) }
        return IsolatedFrameSourceFactory(
            settings: .init(executable: config.ingest.childExecutable, session: session, memoryLimit: config.ingest.memoryPerProcess),
            logger: logger)
    }

    /// Joins the fleet (schema, registration, the config streams, a first lease round) before
    /// the API answers, and makes a first pass over the fleet's banks.
    private static func joinFleet(
        _ storage: DaemonStorage.Fleet, cluster: ClusterConfig, config: DaemonConfig, supervisor: StreamSupervisor,
        pipeline: AlertPipeline, banks: BankRegistry, metrics: DaemonMetrics, clock: any Clock<Duration>, logger: Logger
    ) async throws(DaemonError) -> (FleetCoordinator, FleetBankSync, Task<Void, Never>) {
        let database = storage.database
        let connections = Task { await database.run() }
        let coordinator = FleetCoordinator(
            leases: storage.leases, config: cluster, supervisor: supervisor, streamRemoved: { await pipeline.streamRemoved($0) },
            metrics: metrics, clock: clock, logger: logger)
        do {
            try await coordinator.join(version: VigilVersion.current, maxStreams: cluster.maxStreams, configStreams: config.streams)
        } catch {
            connections.cancel()
            throw DaemonError("cluster: cannot join the fleet: \(error)")
        }
        let bankSync = FleetBankSync(banks: storage.banks, registry: banks, logger: logger)
        do {
            try await bankSync.sync(configBanks: Set(config.banks.map(\.name)))
        } catch {
            logger.error("cannot read the fleet's banks; retrying in the background", metadata: ["error": "\(error)"])
        }
        return (coordinator, bankSync, connections)
    }

    /// A change through the API that the fleet's database could not take.
    private static let fleetUnreachable = APIError(.serviceUnavailable, "the fleet database cannot be reached; try again")

    /// Longest between two passes over the fleet's banks: a change reaches every node at once
    /// through a notification, or, if that was lost, within this plus the load.
    static let fleetBankPollInterval: Duration = .seconds(5)

    /// The bearer tokens in force.
    var apiTokens: [APIToken] { tokens.load() }

    // MARK: Running

    public func run() async throws {
        let matcher = FrameMatcher(banks: banks, metrics: metrics)
        let (pool, supervisor, metrics, pipeline) = (pool, supervisor, metrics, pipeline)
        await startStreams()
        await discovery.follow(config.discovery, maxStreams: config.limits.maxStreams)
        logger.info("vigil serving", metadata: [
            "streams": "\(supervisor.specs.count)", "banks": "\(banks.specs.count)", "sinks": "\(hub.sinkNames.joined(separator: ","))",
        ])
        let delivery = Task { await hub.run() }
        let housekeeping = Task { await self.housekeeping() }
        let pruning = Task { await self.pruneOutbox() }
        await reportRemovedSinks()
        let hashing = Task {
            await pool.run(work: matcher.match) { sample, matches in
                supervisor.recordHashed(sample)
                metrics.framesHashed.increment()
                let focus = await pipeline.observe(sample, matches: matches)
                // From the frame's arrival to its detection step done: what a match waits before
                // its alert is raised.
                metrics.sampleLag.recordNanoseconds(Int64(max(0, Date().timeIntervalSince(sample.observedAt)) * 1e9))
                if let focus { self.focus(sample, on: focus) }
            }
        }
        let committing = Task { await pipeline.run() }
        let health = StreamHealthMonitor(
            supervisor: supervisor, pipeline: pipeline, metrics: metrics, unwatchableAfter: { self.config.alerts.unwatchableAfter })
        let healthWatching = Task {
            await repeatEvery(.seconds(1), on: self.clock) {
                await health.check(now: Date())
                return true
            }
        }
        let scanning = Task { await scans.run() }
        let leasing = fleet.map { fleet in Task { await fleet.run() } }
        // Bank loads can take seconds: never inside a lease round.
        let bankSyncing = fleetBanks.map { sync in
            Task { await sync.run(every: Self.fleetBankPollInterval, on: self.clock) { Set(self.config.banks.map(\.name)) } }
        }

        try? await gracefulShutdown()

        // Drain: stop reading, finish the hashing already queued, commit what it raised. Past
        // shutdown_timeout the service group cancels this task: then stop waiting at once.
        let started = ContinuousClock.now
        let tasks = [delivery, housekeeping, pruning, hashing, committing, healthWatching, scanning] + [leasing, bankSyncing].compactMap { $0 }
        await withTaskCancellationHandler {
            bankSyncing?.cancel()
            // Stopping streams is no loss of health: the last reports are raised before the
            // pipeline finishes.
            healthWatching.cancel()
            await healthWatching.value
            // Scan jobs stop first and go back to the queue: they hash on the pool, which
            // finishes below, and another node (or the next start) reads them again.
            scanning.cancel()
            await scanning.value
            if let fleet, let leasing {
                // Leases go first, so other nodes start reading these streams while this one stops.
                leasing.cancel()
                await leasing.value
                await fleet.leave()
            }
            logger.notice("draining: stopping streams")
            await discovery.stop()
            await supervisor.stopAll()
            pool.finish()
            await hashing.value
            await pipeline.finish()
            await committing.value
            housekeeping.cancel()
            pruning.cancel()
            delivery.cancel()
            await delivery.value
            await housekeeping.value
            await pruning.value
            await fleet?.depart()
        } onCancel: {
            for task in tasks { task.cancel() }
        }
        if Task.isCancelled {
            logger.error("drain exceeded shutdown_timeout; exiting with work unfinished (alerts stay in the outbox)")
        }
        try? await httpClient.shutdown()
        let pending = (try? await hub.outbox.sinkSummaries().reduce(0) { $0 + $1.pending }) ?? -1
        fleetConnections?.cancel()
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
        // In a fleet, the lease rounds start and stop streams (the first ran when joining).
        guard fleet == nil else { return }
        for stream in await startupStreams() { supervisor.start(stream) }
    }
    private let streamsStarted = Atomic<Bool>(false)

    /// Config streams first, then API-added ones not shadowed by a config stream.
    private func startupStreams() async -> [StreamSpec] {
        let configured = config.streams
        let stored: [StreamSpec]
        do {
            stored = try await streamStore.streams()
        } catch {
            // The config streams are still watched; the stored ones wait for the database.
            logger.critical("cannot read API-added streams from the state database", metadata: ["error": "\(error)"])
            stored = []
        }
        let candidates = stored.filter { stream in !configured.contains { $0.id == stream.id } }
        // The policy may have changed since the streams were added. Their names are resolved all
        // at once: a start waits for the slowest lookup, not for their sum.
        let refusals = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, stream) in candidates.enumerated() {
                group.addTask { (index, await self.egressRefusal(stream)) }
            }
            return await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        var restored: [StreamSpec] = []
        for (index, stream) in candidates.enumerated() {
            if let refusal = Self.apiStreamRefusal(stream, api: config.api) {
                logger.error("stored API stream not started", metadata: ["stream": "\(stream.id)", "reason": "\(refusal)"])
                continue
            }
            if let refusal = refusals[index] {
                logger.error("stored API stream not started: refused by the egress policy", metadata: ["stream": "\(stream.id)", "reason": "\(refusal)"])
                continue
            }
            restored.append(stream)
        }
        return configured + restored
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

    /// Every sink with its queue: the configured ones (idle ones too) and removed ones whose
    /// rows are still in the outbox.
    func sinkSummaries() async throws(OutboxError) -> [SinkSummary] {
        var summaries = try await hub.outbox.sinkSummaries()
        for index in summaries.indices { summaries[index].configured = hub.sinkNames.contains(summaries[index].sink) }
        for name in hub.sinkNames where !summaries.contains(where: { $0.sink == name }) {
            summaries.append(SinkSummary(sink: name, pending: 0, delivered: 0, dead: 0))
        }
        return summaries
    }

    /// Says which sinks no longer configured still have alerts waiting: nothing delivers them.
    private func reportRemovedSinks() async {
        do {
            for summary in try await sinkSummaries() where !summary.configured && summary.pending + summary.dead > 0 {
                logger.warning("the outbox holds undelivered alerts of a sink no longer configured; DELETE /v1/sinks/{name} drops them", metadata: [
                    "sink": "\(summary.sink)", "pending": "\(summary.pending)", "dead": "\(summary.dead)",
                ])
            }
        } catch {
            logger.error("cannot read the outbox's sinks", metadata: ["error": "\(error)"])
        }
    }

    /// Prunes delivered alerts older than `alerts.retention`, at a quarter of it (between a
    /// second and an hour), until shutdown, and with them finished scan jobs older than
    /// `scans.retention`. A failure is reported and tried again next time.
    private func pruneOutbox() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let retention = self.config.alerts.retention
                let period = retention > 0 ? min(3600, max(1, retention / 4)) : 60
                await repeatEvery(.milliseconds(Int(period * 1000)), on: self.clock) {
                    await self.pruneScanJobs()
                    guard retention > 0 else { return self.config.alerts.retention == retention }
                    do {
                        let pruned = try await self.hub.outbox.prune(committedBefore: Date().addingTimeInterval(-retention))
                        self.hub.faults.clear(Self.pruning)
                        if pruned > 0 { self.logger.info("delivered alerts pruned", metadata: ["alerts": "\(pruned)"]) }
                    } catch {
                        self.hub.faults.report(Self.pruning, error: error)
                        self.logger.error("cannot prune the outbox", metadata: ["error": "\(error)"])
                    }
                    return self.config.alerts.retention == retention
                }
            }
        }
    }

    /// The names ``StorageFaults`` knows pruning, and a damaged state database set aside, by.
    static let pruning = "outbox-prune"
    static let stateDatabase = "state-database"

    // MARK: Changes (API, SIGHUP)

    /// Stores an API stream so that it survives restarts, and starts watching it. In a fleet, the
    /// stream goes into the fleet's table, and whichever node has room claims it within a lease
    /// round.
    public func addStream(_ spec: StreamSpec) async throws(APIError) {
        let local = fleet == nil
        if local {
            guard supervisor.spec(id: spec.id) == nil else {
                throw APIError(.conflict, "a stream with id \(spec.id.debugDescription) already exists")
            }
            let limit = config.limits.maxStreams
            guard supervisor.specs.count < limit else {
                throw APIError(.tooManyRequests, "the daemon already watches \(limit) streams (limits.max_streams)")
            }
        }
        if spec.origin == .api, let refusal = await egressRefusal(spec) {
            logger.notice("API stream refused by the egress policy", metadata: ["stream": "\(spec.id)", "reason": "\(refusal)"])
            throw APIError(.forbidden, "url: the stream's host is not allowed by the daemon's egress policy (egress in its config)")
        }
        let stored: Bool
        do {
            stored = try await streamStore.insert(spec)
        } catch {
            logger.error("cannot store stream", metadata: ["stream": "\(spec.id)", "error": "\(error)"])
            throw storeFailure("store the stream")
        }
        guard stored else { throw APIError(.conflict, "a stream with id \(spec.id.debugDescription) already exists") }
        if local, !supervisor.start(spec) {
            _ = try? await streamStore.removeStream(id: spec.id)
            throw APIError(.serviceUnavailable, "the daemon is shutting down")
        }
    }

    /// Stops and forgets an API-added stream (in a fleet, its reader stops it within a round).
    public func removeStream(id: String) async throws(APIError) {
        let outcome: StreamRemoval
        do {
            outcome = try await streamStore.removeStream(id: id)
        } catch {
            logger.error("cannot delete stored stream", metadata: ["stream": "\(id)", "error": "\(error)"])
            throw storeFailure("remove the stored stream")
        }
        // A single node stores only API streams: its config streams are the supervisor's.
        let running = fleet == nil ? supervisor.spec(id: id) : nil
        switch (outcome, running?.origin) {
        case (.removed, _), (.notFound, .api): break
        case (.isConfig, _), (.notFound, .config):
            throw APIError(.conflict, "stream \(id.debugDescription) is defined in the config file; remove it there and reload (SIGHUP)")
        case (.isDiscovered(let source), _), (.notFound, .discovery(let source)):
            throw APIError(.conflict, "stream \(id.debugDescription) was discovered on media server \(source.debugDescription); it is released when the server stops listing it")
        case (.notFound, nil):
            throw APIError(.notFound, "no stream with id \(id.debugDescription)")
        }
        guard fleet == nil else { return }
        await stopWatching(id)
    }

    /// Stops reading a stream and closes its open incident, on this node.
    private func stopWatching(_ id: String) async {
        await supervisor.stop(id: id)
        await pipeline.streamRemoved(id)
    }

    /// Why the egress policy refuses an API stream's host (resolved first when it is a name),
    /// or nil when it is allowed. Files have no host; their own rule is `api.allow_file_sources`.
    private func egressRefusal(_ spec: StreamSpec) async -> String? {
        guard !spec.isFile else { return nil }
        return await egressRefusal(url: spec.url)
    }

    /// Why the egress policy refuses the host of a network `url`, or nil.
    func egressRefusal(url: String) async -> String? {
        guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return nil }
        do {
            return config.egress.refusal(host: host, addresses: try await HostResolver.addresses(of: host))
        } catch {
            return "\(error) (the egress policy needs its addresses)"
        }
    }

    /// The API's answer when the store refused a change: in a fleet, the database is out of
    /// reach (the client may try again); on a single node, the state database failed.
    private func storeFailure(_ action: String) -> APIError {
        fleet == nil ? APIError(.internalServerError, "cannot \(action); see the daemon's log") : Self.fleetUnreachable
    }

    /// Every stream: this node's, or in a fleet the whole fleet's, each with the node reading it.
    public func streamStatuses() async -> [StreamStatus] {
        await statuses(id: nil)
    }

    /// One stream's status, as ``streamStatuses()`` gives it.
    public func streamStatus(id: String) async throws(APIError) -> StreamStatus {
        guard let status = await statuses(id: id).first else { throw APIError(.notFound, "no stream with id \(id.debugDescription)") }
        return status
    }

    /// The statuses of every stream, or of the one with `id`.
    private func statuses(id: String?) async -> [StreamStatus] {
        let local = { () -> [StreamStatus] in
            guard let id else { return self.supervisor.statuses() }
            return self.supervisor.status(id: id).map { [$0] } ?? []
        }
        guard let fleet else { return local() }
        // During an outage (the last lease round failed) answer at once, not after the deadline.
        if fleet.isReachable {
            do {
                let rows = try await fleet.leases.streamsWithReaders(id: id)
                return rows.map { row in fleetStatus(row.spec, node: row.node, local: fleet.leases.node) }
            } catch {
                logger.warning("fleet database out of reach: answering for this node's streams only", metadata: ["error": "\(error)"])
            }
        }
        // While the fleet's database is out of reach, the node answers for what it reads.
        return local().map { status in
            var status = status
            status.node = fleet.leases.node
            return status
        }
    }

    /// Every bank this node serves; in a fleet, API banks carry their version and what each
    /// node serves of them.
    public func bankStatuses() async -> [BankStatus] {
        let statuses = banks.statuses()
        guard let fleetBanks, let rows = try? await fleetBanks.banks.all(), let loads = try? await fleetBanks.banks.loads() else {
            return statuses
        }
        let versions = Dictionary(rows.map { ($0.spec.name, $0.version) }, uniquingKeysWith: { first, _ in first })
        return statuses.map { status in
            guard status.origin == .api else { return status }
            var status = status
            status.version = versions[status.name]
            status.nodes = loads[status.name] ?? []
            return status
        }
    }

    /// The fleet's nodes; nil for a single node.
    public func nodes() async throws(APIError) -> [StreamLeases.Node]? {
        guard let fleet else { return nil }
        do {
            return try await fleet.leases.nodes()
        } catch {
            throw APIError(.serviceUnavailable, "the fleet database cannot be reached: \(error)")
        }
    }

    /// A fleet stream's status: this node's session when it reads the stream, else the spec and
    /// the node that holds it.
    private func fleetStatus(_ spec: StreamSpec, node: String?, local: String) -> StreamStatus {
        if node == local, var status = supervisor.status(id: spec.id) {
            status.node = local
            return status
        }
        return StreamStatus(spec: spec, heldBy: node)
    }

    /// Loads and stores an API-added bank.
    public func addBank(_ spec: BankSpec) async throws(APIError) -> BankStatus {
        guard !banks.specs.contains(where: { $0.name == spec.name }) else {
            throw APIError(.conflict, "a bank named \(spec.name.debugDescription) already exists")
        }
        guard banks.specs.count < Self.maximumBanks else {
            throw APIError(.tooManyRequests, "the daemon already has \(Self.maximumBanks) banks")
        }
        if let refusal = Self.apiBankRefusal(spec, api: config.api) { throw APIError(.forbidden, refusal) }
        let status: BankStatus
        do {
            status = try await banks.add(spec)
        } catch {
            banks.remove(name: spec.name)
            throw APIError(.unprocessableContent, "cannot load the bank: \(error)")
        }
        let inserted: Bool
        do {
            inserted = try await bankStore.insert(spec)
        } catch {
            banks.remove(name: spec.name)
            logger.error("cannot store bank", metadata: ["bank": "\(spec.name)", "error": "\(error)"])
            throw storeFailure("store the bank")
        }
        guard inserted else {
            banks.remove(name: spec.name)
            throw APIError(.conflict, "a bank named \(spec.name.debugDescription) already exists")
        }
        await fleetBanks?.record(name: spec.name, version: 1, error: nil)
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
        do {
            _ = try await bankStore.removeBank(name: name)
        } catch {
            logger.error("cannot delete stored bank", metadata: ["bank": "\(name)", "error": "\(error)"])
            throw storeFailure("remove the stored bank")
        }
        fleetBanks?.forget(name: name)
        banks.remove(name: name)
    }

    /// Reads a bank's files again; the old version serves until the new one is ready, and stays if
    /// the new one fails.
    public func reloadBank(name: String) async throws(APIError) -> BankStatus {
        guard let spec = banks.specs.first(where: { $0.name == name }) else {
            throw APIError(.notFound, "no bank named \(name.debugDescription)")
        }
        // A fleet's API bank: every node reloads it (at its next pass); this one at once.
        var version: Int?
        if let fleetBanks, spec.origin == .api {
            do {
                version = try await fleetBanks.banks.bumpVersion(name: name)
            } catch {
                throw Self.fleetUnreachable
            }
        }
        do {
            let status = try await banks.reload(name: name)
            if let fleetBanks, let version { await fleetBanks.record(name: name, version: version, error: nil) }
            return status
        } catch {
            if let fleetBanks, let version { await fleetBanks.record(name: name, version: version, error: error.description) }
            throw APIError(.unprocessableContent, "reload failed, the previous version keeps serving: \(error)")
        }
    }

    /// Applies a re-read config (SIGHUP): the tokens, banks and config streams. Listening address,
    /// state folder, sinks and hashing settings need a restart; a change to them is logged.
    public func reload(_ new: DaemonConfig) async {
        let old = config
        configuration.withLock { $0 = new }
        tokens.store(new.apiTokens)
        scanSettings.store(new.scans)
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
        // API banks answer to the new api.bank_roots; one outside them stops serving (it stays
        // stored, and serves again after a restart under roots that allow it).
        for spec in banks.specs where spec.origin == .api {
            guard let refusal = Self.apiBankRefusal(spec, api: new.api) else { continue }
            banks.remove(name: spec.name)
            logger.error("API bank no longer allowed; unloaded", metadata: ["bank": "\(spec.name)", "reason": "\(refusal)"])
        }
        // Streams: in a fleet, the table's config streams become the new ones, and the lease rounds
        // stop and start readers; otherwise stop removed or changed config streams here and start
        // new or changed ones.
        if let fleet {
            do {
                try await fleet.leases.replaceConfigStreams(new.streams)
            } catch {
                logger.error("cannot publish config streams to the fleet database; reload again", metadata: ["error": "\(error)"])
            }
            await discovery.follow(new.discovery, maxStreams: new.limits.maxStreams)
            logger.notice("configuration reloaded", metadata: ["streams": "\(new.streams.count)", "banks": "\(banks.specs.count)"])
            return
        }
        for running in supervisor.specs where running.origin == .config {
            if new.streams.first(where: { $0.id == running.id }) != running {
                await stopWatching(running.id)
            }
        }
        // A config stream takes its id back from a discovered one.
        for running in supervisor.specs where running.origin != .config && running.origin != .api {
            if new.streams.contains(where: { $0.id == running.id }) { await stopWatching(running.id) }
        }
        for running in supervisor.specs where running.origin == .api {
            guard let refusal = Self.apiStreamRefusal(running, api: new.api) else { continue }
            await stopWatching(running.id)
            logger.error("API stream no longer allowed; stopped", metadata: ["stream": "\(running.id)", "reason": "\(refusal)"])
        }
        for spec in new.streams where supervisor.spec(id: spec.id) == nil {
            supervisor.start(spec)
        }
        await discovery.follow(new.discovery, maxStreams: new.limits.maxStreams)
        logger.notice("configuration reloaded", metadata: ["streams": "\(supervisor.specs.count)", "banks": "\(banks.specs.count)"])
    }

    /// Why `api` does not allow the API bank `spec` (checked when it is added, at start and on
    /// SIGHUP), or nil when it does.
    private static func apiBankRefusal(_ spec: BankSpec, api: APIConfig) -> String? {
        guard !api.bankRoots.isEmpty else {
            return "adding banks over the API is disabled; list allowed folders in api.bank_roots"
        }
        for path in spec.paths where !FolderRoots.contain(path, roots: api.bankRoots) {
            return "path \(path.debugDescription) is outside api.bank_roots"
        }
        return nil
    }

    /// Why `api` does not allow the API stream `spec` any more (a file after
    /// `api.allow_file_sources` was turned off), or nil when it does. The egress policy is
    /// checked apart: it needs name lookups.
    private static func apiStreamRefusal(_ spec: StreamSpec, api: APIConfig) -> String? {
        StreamURLPolicy.problem(with: spec.url, allowFiles: api.allowFileSources).map { "url: \($0)" }
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
