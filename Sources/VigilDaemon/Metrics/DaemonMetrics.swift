import CoreMetrics
import Prometheus
import VigilAlerts
import VigilMedia

/// The daemon's metrics: a Prometheus registry of its own, fed through swift-metrics.
///
/// The factory is passed explicitly rather than bootstrapped globally, so tests can run several
/// daemons in one process, each with its own `/metrics`.
public final class DaemonMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory writing into `registry`.
    public let factory: PrometheusMetricsFactory

    /// Creates an empty registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["vigil_alert_delivery_latency_seconds"] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(300),
        ]
        // Fine steps below a second: a p99 difference of 200 ms must be measurable from them.
        factory.durationHistogramBuckets["vigil_sample_lag_seconds"] = [
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(75), .milliseconds(100),
            .milliseconds(150), .milliseconds(200), .milliseconds(250), .milliseconds(300), .milliseconds(400),
            .milliseconds(500), .milliseconds(750), .seconds(1), .milliseconds(1500), .seconds(2), .seconds(5),
            .seconds(10), .seconds(30),
        ]
        factory.durationHistogramBuckets["vigil_bank_reload_seconds"] = [
            .milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60),
        ]
        self.factory = factory
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String {
        registry.emitToString()
    }

    /// Metrics the delivery workers record.
    public var delivery: DeliveryMetrics { DeliveryMetrics(factory: factory) }

    // MARK: Pipeline-wide

    /// Frames waiting for a hasher.
    public var hashingQueueDepth: CoreMetrics.Meter { CoreMetrics.Meter(label: "vigil_hashing_queue_depth", factory: factory) }
    /// Frames hashed.
    public var framesHashed: CoreMetrics.Counter { CoreMetrics.Counter(label: "vigil_hashing_frames_total", factory: factory) }
    /// From a sampled picture's data arriving to its detection step done (hashed, matched against
    /// the banks, judged; an alert it calls for is raised then): how far behind live the daemon
    /// watches, and what a key frame of known material waits for its alert.
    public var sampleLag: CoreMetrics.Timer { CoreMetrics.Timer(label: "vigil_sample_lag_seconds", preferredDisplayUnit: .seconds, factory: factory) }
    /// Frames dropped from the hashing queue because a fresher frame of the stream arrived or the
    /// queue was full.
    public func hashingDrops(stream: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_hashing_drops_total", dimensions: [("stream", stream)], factory: factory)
    }
    /// Frames within a bank's threshold.
    public func matches(bank: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_matches_total", dimensions: [("bank", bank)], factory: factory)
    }
    /// Frames an allow-list entry silenced (it was at least as near as any known entry), by
    /// the allow entry's bank.
    public func allowSuppressions(bank: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_allow_suppressions_total", dimensions: [("bank", bank)], factory: factory)
    }
    /// Incidents opened (alerts raised).
    public func alertsRaised(bank: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_alerts_raised_total", dimensions: [("bank", bank)], factory: factory)
    }
    /// Stream-health alerts raised, by state (`unwatchable`, `recovered`).
    public func streamHealthAlerts(state: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_stream_health_alerts_total", dimensions: [("state", state)], factory: factory)
    }
    /// Streams that cannot be sampled now (a stream-health alert is open for them).
    public var unwatchableStreams: CoreMetrics.Meter { CoreMetrics.Meter(label: "vigil_streams_unwatchable", factory: factory) }
    /// Incidents open now.
    public var openIncidents: CoreMetrics.Meter { CoreMetrics.Meter(label: "vigil_incidents_open", factory: factory) }
    /// Focus requests detection made, by whether the daemon-wide budget let them through.
    public func focusRequests(admitted: Bool) -> CoreMetrics.Counter {
        CoreMetrics.Counter(
            label: "vigil_focus_requests_total", dimensions: [("result", admitted ? "admitted" : "refused")], factory: factory)
    }

    // MARK: Fleet

    /// Streams this node holds a lease on.
    public var fleetStreamsHeld: CoreMetrics.Meter { CoreMetrics.Meter(label: "vigil_fleet_streams_held", factory: factory) }
    /// Streams of the fleet no node holds a live lease on (at this node's last census).
    public var fleetStreamsUnassigned: CoreMetrics.Meter { CoreMetrics.Meter(label: "vigil_fleet_streams_unassigned", factory: factory) }
    /// Nodes of the fleet up (at this node's last census).
    public var fleetNodesUp: CoreMetrics.Meter { CoreMetrics.Meter(label: "vigil_fleet_nodes_up", factory: factory) }
    /// Lease rounds by result (`ok`, `error`: the database could not be reached or refused).
    public func fleetRounds(result: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_fleet_lease_rounds_total", dimensions: [("result", result)], factory: factory)
    }

    // MARK: Discovery

    /// Whether a discovery source's last poll succeeded (1) or failed (0).
    public func discoveryUp(source: String) -> CoreMetrics.Meter {
        CoreMetrics.Meter(label: "vigil_discovery_up", dimensions: [("source", source)], factory: factory)
    }
    /// Streams of a discovery source being watched.
    public func discoveryStreams(source: String) -> CoreMetrics.Meter {
        CoreMetrics.Meter(label: "vigil_discovery_streams", dimensions: [("source", source)], factory: factory)
    }
    /// Polls of a discovery source that failed (server down, an answer not its API's).
    public func discoveryPollFailures(source: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_discovery_poll_failures_total", dimensions: [("source", source)], factory: factory)
    }

    // MARK: Scan jobs

    /// Scan jobs this node is running.
    public var scanJobsRunning: CoreMetrics.Meter {
        CoreMetrics.Meter(label: "vigil_scan_jobs_running", factory: factory)
    }
    /// Scan jobs this node finished, by outcome (`done`, `failed`).
    public func scanJobsFinished(outcome: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_scan_jobs_finished_total", dimensions: [("outcome", outcome)], factory: factory)
    }
    /// Media seconds scan jobs read to the end on this node.
    public var scanMediaSeconds: CoreMetrics.FloatingPointCounter {
        CoreMetrics.FloatingPointCounter(label: "vigil_scan_media_seconds_total", factory: factory)
    }
    /// Scan jobs refused because the queue was full.
    public var scanJobsRefused: CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_scan_jobs_refused_total", factory: factory)
    }

    // MARK: Banks

    /// Entries in a bank.
    public func bankEntries(bank: String) -> CoreMetrics.Meter {
        CoreMetrics.Meter(label: "vigil_bank_entries", dimensions: [("bank", bank)], factory: factory)
    }
    /// How long loading and indexing a bank took.
    public func bankReloadTime(bank: String) -> CoreMetrics.Timer {
        CoreMetrics.Timer(label: "vigil_bank_reload_seconds", dimensions: [("bank", bank)], preferredDisplayUnit: .seconds, factory: factory)
    }
    /// Bank loads by result (`ok`, `error`).
    public func bankReloads(bank: String, result: String) -> CoreMetrics.Counter {
        CoreMetrics.Counter(label: "vigil_bank_reloads_total", dimensions: [("bank", bank), ("result", result)], factory: factory)
    }

    // MARK: Streams

    /// One stream's metrics.
    public func stream(_ id: String) -> StreamMetrics {
        StreamMetrics(id: id, factory: factory)
    }
}

/// The metrics of one stream, labelled `stream="<id>"`.
public struct StreamMetrics: Sendable {
    /// Frames the source delivered.
    public let framesIn: CoreMetrics.Counter
    /// Frames hashed.
    public let framesSampled: CoreMetrics.Counter
    /// Frames the source's reader dropped because the pipeline was behind.
    public let framesDropped: CoreMetrics.Counter
    /// Seconds between the last two key frames.
    public let keyframeGap: CoreMetrics.Meter
    /// Reconnections after the source ended or failed.
    public let reconnects: CoreMetrics.Counter
    /// Times no frame came for the stall timeout.
    public let stalls: CoreMetrics.Counter
    /// Packets the decoder rejected.
    public let decodeErrors: CoreMetrics.Counter
    /// Pictures sampled because focus asked for their time.
    public let focusSamples: CoreMetrics.Counter
    /// One gauge per state, 1 for the current state and 0 for the others.
    public let states: [StreamState: CoreMetrics.Meter]

    init(id: String, factory: any MetricsFactory) {
        let dimensions = [("stream", id)]
        framesIn = CoreMetrics.Counter(label: "vigil_stream_frames_in_total", dimensions: dimensions, factory: factory)
        framesSampled = CoreMetrics.Counter(label: "vigil_stream_frames_sampled_total", dimensions: dimensions, factory: factory)
        framesDropped = CoreMetrics.Counter(label: "vigil_stream_frames_dropped_total", dimensions: dimensions, factory: factory)
        keyframeGap = CoreMetrics.Meter(label: "vigil_stream_keyframe_gap_seconds", dimensions: dimensions, factory: factory)
        reconnects = CoreMetrics.Counter(label: "vigil_stream_reconnects_total", dimensions: dimensions, factory: factory)
        stalls = CoreMetrics.Counter(label: "vigil_stream_stalls_total", dimensions: dimensions, factory: factory)
        decodeErrors = CoreMetrics.Counter(label: "vigil_stream_decode_errors_total", dimensions: dimensions, factory: factory)
        focusSamples = CoreMetrics.Counter(label: "vigil_stream_focus_samples_total", dimensions: dimensions, factory: factory)
        var states: [StreamState: CoreMetrics.Meter] = [:]
        for state in StreamState.allCases {
            states[state] = CoreMetrics.Meter(label: "vigil_stream_state", dimensions: dimensions + [("state", state.rawValue)], factory: factory)
        }
        self.states = states
    }

    /// Sets the state gauges so exactly `state` reads 1.
    public func set(_ state: StreamState) {
        for (candidate, meter) in states { meter.set(candidate == state ? 1 : 0) }
    }

    /// Removes the stream's series (it was deleted).
    public func destroy() {
        framesIn.destroy()
        framesSampled.destroy()
        framesDropped.destroy()
        keyframeGap.destroy()
        reconnects.destroy()
        stalls.destroy()
        decodeErrors.destroy()
        focusSamples.destroy()
        for meter in states.values { meter.destroy() }
    }
}
