import Foundation
import Logging
import Synchronization
import VigilAlerts
import VigilDetect
import VigilMatch

/// Runs this node's share of the scan jobs: takes queued jobs from the store while it has free
/// slots (`scans.concurrency`), reads each through ``InputScanner`` — the detection path of
/// `vigil scan`, so the verdict is the one `vigil scan --json` gives for the same file — and
/// stores the verdict; matches raise alerts through the same ``AlertPipeline`` as streams.
///
/// A job yields to live streams: its reading and decoding run at the lowest CPU priority, and its
/// frames are hashed on the shared pool's workers only when no live frame waits. With ingest
/// isolation (the default) its input is read in a child process (``IsolatedScanInput``): an
/// upload is hostile media.
final class ScanJobRunner: Sendable {
    private let store: any ScanJobStore
    private let node: String
    /// The `scans` settings in force (they follow SIGHUP).
    private let settings: @Sendable () -> ScansConfig
    /// The banks serving now.
    private let matchers: @Sendable () -> [BankMatcher]
    private let hashing: any HashingThreads
    /// How jobs' inputs are read in ingest children; nil reads them in the daemon.
    private let isolation: IsolatedScanInput.Settings?
    private let pipeline: AlertPipeline
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let clock: any Clock<Duration>
    /// In a fleet, how long a node may go without a heartbeat before its jobs are taken over;
    /// nil for a single node.
    private let staleAfter: Double?
    private let wakeUps = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    /// Jobs this node is running.
    private let running = Mutex(Set<String>())

    /// How often the runner looks for jobs without being told of one: jobs other nodes accepted,
    /// and jobs of nodes that stopped.
    static let pollInterval: Duration = .seconds(1)
    /// Ids of the file-match alerts jobs raise.
    private static let fileAlertIDs = AlertIDGenerator()
    /// How often a running job's progress is stored.
    static let progressInterval = 1.0

    init(
        store: any ScanJobStore, node: String, settings: @escaping @Sendable () -> ScansConfig,
        matchers: @escaping @Sendable () -> [BankMatcher], hashing: any HashingThreads, isolation: IsolatedScanInput.Settings?,
        pipeline: AlertPipeline, metrics: DaemonMetrics, clock: any Clock<Duration>, staleAfter: Double?, logger: Logger
    ) {
        self.store = store
        self.node = node
        self.settings = settings
        self.matchers = matchers
        self.hashing = hashing
        self.isolation = isolation
        self.pipeline = pipeline
        self.metrics = metrics
        self.clock = clock
        self.staleAfter = staleAfter
        self.logger = logger
    }

    /// A job was queued: look for work now rather than at the next poll.
    func wake() {
        wakeUps.continuation.yield()
    }

    /// Runs jobs until the task is cancelled (graceful shutdown), then puts the jobs still running
    /// back in the queue, for another node or this one's next start.
    func run() async {
        await requeue(reason: "left running by this node's previous run")
        await withDiscardingTaskGroup { group in
            group.addTask {
                await repeatEvery(Self.pollInterval, on: self.clock) {
                    // Once a poll, not at every wake-up: in a fleet it is a write to every
                    // running job's row.
                    await self.takeOverAbandoned()
                    self.wake()
                    return true
                }
            }
            // Ends (nil) when the task is cancelled.
            for await _ in wakeUps.stream {
                for job in await claim() {
                    group.addTask {
                        await self.execute(job)
                        self.ended(job.id)
                    }
                }
            }
        }
        // This task is cancelled by now, and the store's writes give up on a cancelled task: the
        // requeue runs in a task of its own.
        await Task { await self.requeue(reason: "running when the daemon stopped") }.value
    }

    private func claim() async -> [ScanJob] {
        let free = settings().concurrency - running.withLock { $0.count }
        guard free > 0, !Task.isCancelled else { return [] }
        do {
            let jobs = try await store.claim(limit: free, node: node, now: Date())
            let count = running.withLock { running in
                running.formUnion(jobs.map(\.id))
                return running.count
            }
            metrics.scanJobsRunning.set(count)
            return jobs
        } catch {
            logger.error("cannot take scan jobs from the queue; will retry", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func ended(_ id: String) {
        let count = running.withLock { running in
            running.remove(id)
            return running.count
        }
        metrics.scanJobsRunning.set(count)
        wake()
    }

    private func takeOverAbandoned() async {
        guard let staleAfter else { return }
        do {
            let requeued = try await store.requeueAbandoned(staleAfter: staleAfter)
            if requeued > 0 { logger.warning("scan jobs of stopped nodes requeued", metadata: ["jobs": "\(requeued)"]) }
        } catch {
            logger.error("cannot requeue the scan jobs of stopped nodes; will retry", metadata: ["error": "\(error)"])
        }
    }

    private func requeue(reason: String) async {
        do {
            let requeued = try await store.requeueRunning(node: node)
            if requeued > 0 { logger.notice("scan jobs requeued: \(reason)", metadata: ["jobs": "\(requeued)"]) }
        } catch {
            logger.error("cannot requeue this node's scan jobs (\(reason))", metadata: ["error": "\(error)"])
        }
    }

    // MARK: One job

    private func execute(_ job: ScanJob) async {
        let config = settings()
        let started = ContinuousClock.now
        logger.info("scan job started", metadata: [
            "scan": "\(job.id)", "source": "\(job.shownSource)", "attempt": "\(job.attempts)",
        ])
        let outcome: ScanJob.Outcome
        if let refusal = config.refusal(of: job.source) {
            outcome = .failed(error: "\(job.shownSource): \(refusal)")
        } else {
            do {
                let verdict = try await scanWithin(config.timeout, job, config: config)
                outcome = .done(verdict: try JSONValue(parsing: VerdictJSON.data(verdict)))
            } catch {
                // Shutting down: the job goes back to the queue and runs again from the start.
                if Task.isCancelled { return }
                outcome = .failed(error: "\(error)")
            }
        }
        await pipeline.streamRemoved(ScanReference.streamName(job: job.id))
        await store(outcome, of: job)
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        switch outcome {
        case .done(let verdict):
            metrics.scanJobsFinished(outcome: "done").increment()
            logger.info("scan job done", metadata: [
                "scan": "\(job.id)", "matched": "\(verdict.matched)", "seconds": "\(String(format: "%.3f", seconds))",
            ])
        case .failed(let error):
            metrics.scanJobsFinished(outcome: "failed").increment()
            logger.notice("scan job failed", metadata: ["scan": "\(job.id)", "error": "\(error)"])
        }
    }

    /// ``scan(_:config:)``, given up after `timeout` seconds of the daemon's clock.
    private func scanWithin(_ timeout: Double, _ job: ScanJob, config: ScansConfig) async throws -> Verdict {
        try await withThrowingTaskGroup(of: Verdict?.self) { group in
            group.addTask { try await self.scan(job, config: config) }
            group.addTask {
                await pause(seconds: timeout, on: self.clock)
                return nil
            }
            defer { group.cancelAll() }
            guard let verdict = try await group.next() ?? nil else {
                throw ScanTimedOut(source: job.shownSource, seconds: timeout)
            }
            return verdict
        }
    }

    /// Reads the job's source to a verdict, raising its alerts as it goes.
    private func scan(_ job: ScanJob, config: ScansConfig) async throws -> Verdict {
        var scanner = InputScanner(matchers: matchers(), maxDuration: config.maxDuration, jobs: 1)
        scanner.onDemand = true
        scanner.readsInBackground = true
        scanner.hashingThreads = hashing
        scanner.limits = InputLimits(maxBytes: config.maxBytes, maxSeconds: config.maxDuration)
        if let isolation {
            scanner.isolatedReader = { input, scanner in
                try IsolatedScanInput(input: input, scanner: scanner, settings: isolation, label: job.id)
            }
        }
        let (pipeline, reference) = (self.pipeline, job.reference)
        let (stream, shown) = (ScanReference.streamName(job: job.id), job.shownSource)
        let position = Mutex<ScanPosition?>(nil)
        scanner.onProgress = { latest in position.withLock { $0 = latest } }
        let elapsed = secondsElapsed(on: self.clock)
        let lastRecorded = Mutex(-Double.infinity)
        let (store, node) = (self.store, self.node)
        scanner.onStep = { frame, step in
            await pipeline.observe(step, of: frame, stream: stream, source: shown, observedAt: Date(), scan: reference)
            let now = elapsed()
            let due = lastRecorded.withLock { last in
                guard now - last >= Self.progressInterval else { return false }
                last = now
                return true
            }
            guard due, let latest = position.withLock({ $0 }) else { return }
            // Progress is a courtesy: a failed write is retried at the next second.
            _ = try? await store.record(
                ScanJob.Progress(seconds: latest.seconds, duration: latest.duration, framesHashed: latest.framesHashed),
                job: job.id, node: node, attempt: job.attempts)
        }
        let verdict = try await scanner.scan(job.source) { _ in }
        // An exact copy of a known file: the same alert a file stream raises.
        for found in verdict.fileMatches {
            await pipeline.raise(FileStreamDigests.alert(found, id: Self.fileAlertIDs.next(at: Date()), stream: stream, source: shown, scan: reference))
        }
        // Read to the end: the whole duration was checked, not only up to the last sample.
        if let read = position.withLock({ $0 }) { metrics.scanMediaSeconds.increment(by: read.duration ?? read.seconds) }
        return verdict
    }

    /// Stores how the job ended, retrying a failed write (a full disk, the fleet's database out of
    /// reach) until it holds or the daemon stops — then the job is requeued and read again, to
    /// the same verdict.
    private func store(_ outcome: ScanJob.Outcome, of job: ScanJob) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                if try await !store.finish(job: job.id, node: node, attempt: job.attempts, outcome: outcome, at: Date()) {
                    logger.warning("scan job was requeued while this node ran it; its outcome here is dropped", metadata: ["scan": "\(job.id)"])
                }
                return
            } catch {
                failures += 1
                logger.error("cannot store a scan job's outcome; retrying", metadata: [
                    "scan": "\(job.id)", "error": "\(error)", "tries": "\(failures)",
                ])
                await pause(seconds: Double(min(5, failures)), on: self.clock)
            }
        }
    }
}

extension JSONValue {
    /// A verdict's `matched`.
    fileprivate var matched: Bool {
        guard case .object(let fields) = self, case .bool(let matched)? = fields["matched"] else { return false }
        return matched
    }
}

/// Sleeps `seconds` on `clock` (the existential opened here); returns early when cancelled.
private func pause<C: Clock<Duration>>(seconds: Double, on clock: C) async {
    try? await clock.sleep(for: .milliseconds(Int64(seconds * 1000)))
}

/// A job that ran past `scans.timeout`.
struct ScanTimedOut: Error, CustomStringConvertible {
    var source: String
    var seconds: Double

    var description: String {
        "\(source): not read to the end within scans.timeout (\(Int(seconds)) s)"
    }
}
