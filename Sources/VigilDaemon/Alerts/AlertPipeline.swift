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
    /// New alerts on their way to the committer. Bounded: when commits fall behind, raising an
    /// alert waits (and with it the hashing worker that raised it, so the hashing pool's bounded
    /// queues drop frames, counted) — an alert is never dropped.
    private let opened = AsyncChannel<Alert>()
    /// Alerts waiting for the committer at most.
    static let commitQueueCapacity = 256
    private var pendingUpdates: [AlertID: Alert] = [:]
    /// Alerts raised but not yet committed: updates must wait for their alert's row.
    private var uncommitted: Set<AlertID> = []

    private let clock: any Clock<Duration>

    /// Creates a pipeline feeding `hub`; `clock` paces the once-a-second flush of incident updates.
    public init(
        settings: IncidentPolicy.Settings, hub: DeliveryHub, metrics: DaemonMetrics, logger: Logger,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.clock = clock
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
        let observation = FrameObservation(
            stream: sample.stream, source: sample.source, hash: sample.frame.hash, quality: sample.frame.quality,
            ptsSeconds: sample.frame.ptsSeconds, keyframe: sample.frame.isKeyframe, observedAt: sample.observedAt,
            candidates: Self.candidates(step))
        let decisions = policy.observe(observation)
        guard !decisions.isEmpty else { return step.focus }
        for decision in decisions {
            switch decision {
            case .open(let alert):
                uncommitted.insert(alert.id)
                metrics.alertsRaised(bank: alert.bank).increment()
                logger.notice("match: incident opened", metadata: [
                    "alert": "\(alert.id)", "stream": "\(alert.stream)", "bank": "\(alert.bank)",
                    "entry": "\(alert.entry.id)", "distance": "\(alert.distance)",
                ])
                await opened.send(alert)
            case .update(let alert):
                pendingUpdates[alert.id] = alert
            }
        }
        metrics.openIncidents.set(policy.openIncidentCount)
        return step.focus
    }

    /// What the incident policy needs of a detection step: image entries near the sample, and
    /// the standing of every known video tracked.
    static func candidates(_ step: DetectionState.Step) -> [MatchCandidate] {
        var candidates = step.imageMatches.map { match in
            MatchCandidate(
                bank: match.bank, subject: "entry:" + match.entry.reference,
                entry: Alert.Entry(id: match.entry.reference, label: match.entry.label), distance: match.distance)
        }
        for video in step.videos {
            candidates.append(MatchCandidate(
                bank: video.bank, subject: "video:" + video.videoID, entry: Alert.Entry(id: video.videoID, label: video.label),
                distance: video.latestDistance,
                video: VideoProgress(isMatch: video.isMatch, queryPercent: video.result.queryPercent,
                                     comparedPercent: video.result.comparedPercent, framesMatched: video.framesMatched)))
        }
        return candidates
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

    private func commit(_ alert: Alert) async {
        // The outbox is the only place an alert is safe; keep trying rather than drop it.
        var failures = 0
        while true {
            do {
                try await hub.commit(alert)
                uncommitted.remove(alert.id)
                return
            } catch {
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

    private func expireAndFlush() async {
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
        do {
            try await hub.outbox.update(alerts)
        } catch {
            logger.error("cannot store incident updates; will retry", metadata: ["alerts": "\(alerts.count)", "error": "\(error)"])
            // Newer states that arrived meanwhile win over the ones that failed to store.
            for alert in alerts where pendingUpdates[alert.id] == nil { pendingUpdates[alert.id] = alert }
        }
    }
}
