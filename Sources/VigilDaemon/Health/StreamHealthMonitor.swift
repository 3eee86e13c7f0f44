import Foundation
import Synchronization
import VigilAlerts
import VigilMedia

/// Checks every stream this node reads for being unwatchable (``StreamHealthWatch``) and raises
/// a stream-health alert on each transition, through the alert pipeline, so that it takes the
/// same outbox and sinks as a match.
///
/// Files are not watched: they end, and their faults are the operator's own input.
final class StreamHealthMonitor: Sendable {
    private let supervisor: StreamSupervisor
    private let pipeline: AlertPipeline
    private let metrics: DaemonMetrics
    private let ids = AlertIDGenerator()
    /// `alerts.unwatchable_after`, for streams without their own; read at each check, so a
    /// reload applies to the next.
    private let defaultAfter: @Sendable () -> Double
    private let watches = Mutex<[String: StreamHealthWatch]>([:])

    init(
        supervisor: StreamSupervisor, pipeline: AlertPipeline, metrics: DaemonMetrics,
        unwatchableAfter: @escaping @Sendable () -> Double
    ) {
        self.supervisor = supervisor
        self.pipeline = pipeline
        self.metrics = metrics
        defaultAfter = unwatchableAfter
    }

    /// Checks every stream once; a stream seen for the first time starts its watch now.
    func check(now: Date) async {
        let streams = supervisor.healthObservations().filter { !$0.spec.isFile }
        let defaultAfter = defaultAfter()
        let (transitions, unwatchable) = watches.withLock { watches in
            var transitions: [(StreamSpec, StreamHealthWatch.Transition)] = []
            var kept: [String: StreamHealthWatch] = [:]
            for (spec, observation) in streams {
                let after = spec.unwatchableAfter ?? defaultAfter
                var watch = watches[spec.id].flatMap { $0.unwatchableAfter == after ? $0 : nil }
                    ?? StreamHealthWatch(unwatchableAfter: after, start: now)
                if let transition = watch.check(observation, now: now) { transitions.append((spec, transition)) }
                kept[spec.id] = watch
            }
            // Streams stopped since the last check are forgotten with their watches.
            watches = kept
            return (transitions, kept.values.filter(\.isUnwatchable).count)
        }
        metrics.unwatchableStreams.set(unwatchable)
        for (spec, transition) in transitions {
            await pipeline.raise(alert(for: spec, transition, now: now))
        }
    }

    private func alert(for spec: StreamSpec, _ transition: StreamHealthWatch.Transition, now: Date) -> StreamHealthAlert {
        let source = RedactedURL(spec.url).description
        switch transition {
        case .unwatchable(let since, let reason):
            return StreamHealthAlert(
                id: ids.next(at: now), stream: spec.id, source: source, state: .unwatchable, reason: reason, since: since, raisedAt: now)
        case .recovered(let at, let reason):
            return StreamHealthAlert(
                id: ids.next(at: now), stream: spec.id, source: source, state: .recovered, reason: reason, since: at, raisedAt: now)
        }
    }
}
