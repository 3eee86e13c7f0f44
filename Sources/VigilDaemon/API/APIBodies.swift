import Foundation
import VigilAlerts

/// An alert with its delivery state, as `GET /v1/alerts` lists it.
struct AlertView: Encodable {
    var alert: RaisedAlert
    var deliveries: [DeliveryRecord]

    init(_ stored: StoredAlert) {
        alert = stored.alert
        deliveries = stored.deliveries
    }
}

/// A page of alerts; pass `next_after` as `after` for the next page.
struct AlertPage: Encodable {
    var alerts: [AlertView]
    var nextAfter: String?

    enum CodingKeys: String, CodingKey {
        case alerts
        case nextAfter = "next_after"
    }
}

struct StreamList: Encodable {
    var streams: [StreamStatus]
}

/// `GET /v1/discovery`: the media servers polled for streams.
struct DiscoveryList: Encodable {
    var sources: [DiscoveryStatus]
}

/// `GET /v1/nodes`: the fleet's nodes.
struct NodeList: Encodable {
    var nodes: [StreamLeases.Node]
}

struct BankList: Encodable {
    var banks: [BankStatus]
}

struct SinkList: Encodable {
    var sinks: [SinkSummary]
}

struct DroppedSink: Encodable {
    var sink: String
    /// Deliveries that were pending or dead.
    var undelivered: Int
}

struct Replayed: Encodable {
    var sink: String
    var requeued: Int
}

/// `GET /healthz`: `ok`, or `degraded` while some storage write fails (the daemon keeps
/// watching and keeps what it accepted; it recovers by itself when the fault clears). The route
/// needs no token, so it names the failing parts but not their errors (those are logged).
struct Health: Encodable {
    struct Fault: Encodable {
        var component: String
        var since: Date
        var failures: Int
    }

    var status: String
    var faults: [Fault]

    init(faults: [StorageFaults.Fault]) {
        status = faults.isEmpty ? "ok" : "degraded"
        self.faults = faults.map { Fault(component: $0.component, since: $0.since, failures: $0.failures) }
    }
}
