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

struct Replayed: Encodable {
    var sink: String
    var requeued: Int
}

struct Health: Encodable {
    var status: String
}
