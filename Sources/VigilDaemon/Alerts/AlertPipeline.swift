import AsyncAlgorithms
import Foundation
import Logging
import VigilAlerts
import VigilDetect
import VigilMatch
import VigilMedia

/// Runs each stream's samples through the shared detection path (``DetectionState``, the same
/// one `vigil scan` uses), turns what it finds into incidents, and hands those to the outbox.
///
/// New alerts are committed in the order the policy raised them, by one committer task, each
/// before any delivery is tried. Updates to open incidents (frames matched, last seen) are
/// coalesced and written about once a second, since every matching frame of a long incident would
/// otherwise cost a disk sync.
public actor AlertPipeline {
    private var policy: IncidentPolicy
    /// Detection per stream, fed in sample order.
    private var detections: [String: DetectionState] = [:]
    private let hub: DeliveryHub
    private let metrics: DaemonMetrics
    private let logger: Logger
    /// New alerts (matches and stream-health reports, in the order raised) on their way to the
    /// committer. Bounded: when commits fall behind, raising an alert waits (and with it the
    /// hashing worker that raised it, so the hashing pool's bounded queues drop frames, counted) —
    /// an alert is never dropped.
    private let opened = AsyncChannel<RaisedAlert>()
    /// Alerts waiting for the committer at most.
    static let commitQueueCapacity = 256
    private var pendingUpdates: [AlertID: Alert] = [:]
    /// Alerts raised but not yet committed: updates must wait for their alert's row.
    private var uncommitted: Set<AlertID> = []

    private let clock: any Clock<Duration>
    /// Keeps alerts while the outbox cannot take them: the fleet's database out of reach, or a
    /// single node's database full or locked. Without one (tests), a commit is retried until it
    /// holds. A fleet's outbox keys incidents across nodes, so a commit may raise nothing.
    private let spool: (any AlertSpool)?
    /// Whether the spool may hold alerts (it may after a restart, and after each spooling).
    private var spoolMayHoldAlerts = true
    /// The latest state of each alert spooled by this run, so that its claim, when the database
    /// returns, carries the incident's last match rather than its first.
    private var spooledLatest: [AlertID: RaisedAlert] = [:]

    /// Creates a pipeline feeding `hub`; `clock` paces the once-a-second flush of incident updates.
    public init(
        settings: IncidentPolicy.Settings, hub: DeliveryHub, metrics: DaemonMetrics, logger: Logger,
        clock: any Clock<Duration> = ContinuousClock(), spool: (any AlertSpool)? = nil
    ) {
        self.clock = clock
        self.spool = spool
        policy = IncidentPolicy(settings: settings)
        self.hub = hub
        self.metrics = metrics
        self.logger = logger
    }

    /// Takes a stream's next sample (in order) with its bank matches; returns the focus the
    /// detection asks of the stream's source, if any.
    @discardableResult
    public func observe(_ sample: StreamSample, matches: FrameMatches) async -> FocusRequest? {
        var detection = detections[sample.stream] ?? DetectionState(input: sample.stream)
        let step = detection.add(matches)
        detections[sample.stream] = detection
        await observe(step, of: sample.frame, stream: sample.stream, source: sample.source, observedAt: sample.observedAt)
        return step.focus
    }

    /// Takes a detection step made elsewhere (a scan job's ``InputScanner``, which keeps its own
    /// ``DetectionState``) and raises or updates the incidents it calls for, under `stream`.
    public func observe(
        _ step: DetectionState.Step, of frame: HashedFrame, stream: String, source: String, observedAt: Date,
        scan: ScanReference? = nil
    ) async {
        let observation = FrameObservation(
            stream: stream, source: source, hash: frame.hash, quality: frame.quality,
            ptsSeconds: frame.ptsSeconds, keyframe: frame.isKeyframe, observedAt: observedAt,
            candidates: Self.candidates(step), scan: scan)
        let decisions = policy.observe(observation)
        guard !decisions.isEmpty else { return }
        for decision in decisions {
            switch decision {
            case .open(let alert):
                uncommitted.insert(alert.id)
                metrics.alertsRaised(bank: alert.bank).increment()
                var metadata: Logger.Metadata = [
                    "alert": "\(alert.id)", "stream": "\(alert.stream)", "bank": "\(alert.bank)",
                    "entry": "\(alert.entry.id)", "distance": "\(alert.distance)",
                ]
                if let scan = alert.scan { metadata["scan"] = "\(scan.id)" }
                logger.notice("match: incident opened", metadata: metadata)
                await opened.send(.match(alert))
            case .update(let alert):
                pendingUpdates[alert.id] = alert
            }
        }
        metrics.openIncidents.set(policy.openIncidentCount)
    }

    /// What the incident policy needs of a detection step: image entries near the sample, and
    /// the standing of every known video tracked.
    static func candidates(_ step: DetectionState.Step) -> [MatchCandidate] {
        var candidates = step.imageMatches.map { match in
            MatchCandidate(
                bank: match.bank, subject: MatchCandidate.subject(entry: match.entry.reference),
                entry: Alert.Entry(id: match.entry.reference, label: match.entry.label), distance: match.distance)
        }
        for video in step.videos {
            candidates.append(MatchCandidate(
                bank: video.bank, subject: MatchCandidate.subject(video: video.videoID), entry: Alert.Entry(id: video.videoID, label: video.label),
                distance: video.latestDistance,
                video: VideoProgress(isMatch: video.isMatch, queryPercent: video.result.queryPercent,
                                     comparedPercent: video.result.comparedPercent, framesMatched: video.framesMatched)))
        }
        return candidates
    }

    /// Raises a stream-health alert through the same committer, outbox and sinks as matches.
    public func raise(_ report: StreamHealthAlert) async {
        metrics.streamHealthAlerts(state: report.state.rawValue).increment()
        logger.warning("stream health: \(report.state.rawValue)", metadata: [
            "alert": "\(report.id)", "stream": "\(report.stream)", "reason": "\(report.reason)",
            "since": "\(Timestamp.format(report.since))",
        ])
        await opened.send(.streamHealth(report))
    }

    /// Raises a file-match alert through the same committer, outbox and sinks as matches.
    public func raise(_ found: FileMatchAlert) async {
        metrics.alertsRaised(bank: found.bank).increment()
        logger.warning("file match", metadata: [
            "alert": "\(found.id)", "stream": "\(found.stream)", "bank": "\(found.bank)", "entry": "\(found.entry.id)",
            "md5": "\(found.md5)",
        ])
        await opened.send(.fileMatch(found))
    }

    /// Closes a removed stream's incidents.
    public func streamRemoved(_ stream: String) {
        detections[stream] = nil
        for alert in policy.closeAll(stream: stream) { pendingUpdates[alert.id] = pendingUpdates[alert.id] ?? alert }
        metrics.openIncidents.set(policy.openIncidentCount)
    }

    /// Commits alerts as they are raised and flushes updates every second of the pipeline's
    /// clock, until ``finish()`` was called and everything raised before it is committed.
    public nonisolated func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await repeatEvery(.seconds(1), on: self.clock) {
                    await self.expireAndFlush()
                    return true
                }
            }
            for await alert in opened.buffer(policy: .bounded(Self.commitQueueCapacity)) {
                await commit(alert)
            }
            await flushUpdates()
            group.cancelAll()
        }
    }

    /// No more observations will come; ``run()`` returns once the raised alerts are committed.
    public func finish() {
        opened.finish()
    }

    private func commit(_ alert: RaisedAlert) async {
        if let spool {
            await spoolingCommit(alert, spool: spool)
            uncommitted.remove(alert.id)
            return
        }
        // The outbox is the only place an alert is safe; keep trying rather than drop it.
        var failures = 0
        while true {
            do {
                try await hub.commit(alert)
                hub.faults.clear(Self.committing)
                uncommitted.remove(alert.id)
                return
            } catch {
                hub.faults.report(Self.committing, error: error)
                if Task.isCancelled {
                    // The drain ran out of time: say which alert is lost rather than spin.
                    logger.critical("shutdown cut short: alert not committed to the outbox", metadata: ["alert": "\(alert.id)"])
                    return
                }
                failures += 1
                logger.critical("cannot commit alert to the outbox; retrying", metadata: [
                    "alert": "\(alert.id)", "error": "\(error)", "tries": "\(failures)",
                ])
                try? await Task.sleep(for: .milliseconds(min(5000, 100 * failures)))
            }
        }
    }

    /// Commits to the outbox — a fleet's raises the alert unless the fleet raised its incident
    /// already — and spools the alert when the outbox cannot take it or cannot say.
    private func spoolingCommit(_ alert: RaisedAlert, spool: any AlertSpool) async {
        do {
            // Alerts spooled by this run and not merged yet: the outbox failed a moment ago.
            // Spool behind them at once — in order, and without each new alert waiting out the
            // database's deadline; the merge tries the outbox every second.
            guard spooledLatest.isEmpty else { throw Spooling.earlierAlertsSpooled }
            if try await !hub.commit(alert) {
                logger.info("incident raised already (by another node, or before for this scan job or file); no second alert", metadata: [
                    "alert": "\(alert.id)", "stream": "\(alert.stream)",
                ])
            }
            hub.faults.clear(Self.committing)
        } catch {
            if case Spooling.earlierAlertsSpooled = error {} else { hub.faults.report(Self.committing, error: error) }
            do {
                try await spool.add(alert)
                hub.faults.clear(Self.spooling)
                spoolMayHoldAlerts = true
                spooledLatest[alert.id] = alert
                logger.warning("outbox unavailable: alert spooled until it returns", metadata: [
                    "alert": "\(alert.id)", "error": "\(error)",
                ])
            } catch let spoolError {
                // Neither the outbox nor the spool takes it: keep trying both rather than drop
                // it. Meanwhile raising alerts waits, and with it hashing (frames dropped, counted).
                hub.faults.report(Self.spooling, error: spoolError)
                logger.critical("cannot spool alert; retrying", metadata: ["alert": "\(alert.id)", "error": "\(spoolError)"])
                try? await Task.sleep(for: .seconds(1))
                if !Task.isCancelled { await spoolingCommit(alert, spool: spool) }
            }
        }
    }

    /// Why an alert went to the spool without trying the outbox.
    private enum Spooling: Error, CustomStringConvertible {
        case earlierAlertsSpooled
        var description: String { "earlier alerts wait in the spool for the outbox" }
    }

    /// The names ``StorageFaults`` knows the pipeline's writes by.
    static let committing = "alert-commit"
    static let spooling = "alert-spool"
    static let updating = "incident-update"

    /// Commits spooled alerts, in order, once the outbox takes writes again (a fleet's claims
    /// each incident first and may drop it as raised elsewhere); the first failure leaves the
    /// rest for the next second.
    private func drainSpool() async {
        guard let spool, spoolMayHoldAlerts else { return }
        guard let spooled = try? await spool.alerts() else { return }
        for alert in spooled {
            do {
                // Committing is idempotent: a crash between it and the removal repeats it harmlessly.
                if try await hub.commit(spooledLatest[alert.id] ?? alert) {
                    logger.notice("spooled alert committed to the outbox", metadata: ["alert": "\(alert.id)"])
                } else {
                    logger.info("spooled alert's incident was raised elsewhere in the fleet; dropped", metadata: ["alert": "\(alert.id)"])
                }
                try await spool.remove(alert.id)
                spooledLatest[alert.id] = nil
            } catch {
                hub.faults.report(Self.committing, error: error)
                return
            }
        }
        if !spooled.isEmpty { hub.faults.clear(Self.committing) }
        spoolMayHoldAlerts = false
    }

    private func expireAndFlush() async {
        await drainSpool()
        for alert in policy.expire(now: Date()) {
            // A known video that comes back after a quiet window is judged afresh.
            detections[alert.stream]?.forget(bank: alert.bank, videoID: alert.entry.id)
            logger.info("incident closed", metadata: ["alert": "\(alert.id)", "frames_matched": "\(alert.framesMatched)"])
        }
        metrics.openIncidents.set(policy.openIncidentCount)
        await flushUpdates()
    }

    private func flushUpdates() async {
        let ready = pendingUpdates.filter { !uncommitted.contains($0.key) }
        guard !ready.isEmpty else { return }
        for key in ready.keys { pendingUpdates[key] = nil }
        let alerts = ready.values.sorted { $0.id < $1.id }
        for alert in alerts where spooledLatest[alert.id] != nil { spooledLatest[alert.id] = .match(alert) }
        do {
            try await hub.outbox.update(alerts)
            hub.faults.clear(Self.updating)
        } catch {
            hub.faults.report(Self.updating, error: error)
            logger.error("cannot store incident updates; will retry", metadata: ["alerts": "\(alerts.count)", "error": "\(error)"])
            // Newer states that arrived meanwhile win over the ones that failed to store.
            for alert in alerts where pendingUpdates[alert.id] == nil { pendingUpdates[alert.id] = alert }
        }
    }
}
