import Foundation
import VigilAlerts

/// A scan job as the API shows it: its source without credentials, and once done the verdict
/// exactly as `vigil scan --json` prints it.
struct ScanJobView: Encodable {
    var id: String
    var source: String
    var state: ScanJob.State
    var submittedAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var attempts: Int
    var node: String?
    var progress: ScanJob.Progress?
    var verdict: JSONValue?
    var error: String?
    var callback: JSONValue?

    init(_ job: ScanJob) {
        id = job.id
        source = job.shownSource
        state = job.state
        submittedAt = job.submittedAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        attempts = job.attempts
        node = job.node
        progress = job.progress
        verdict = job.verdict
        error = job.error
        callback = job.callback
    }

    enum CodingKeys: String, CodingKey {
        case id, source, state, attempts, node, progress, verdict, error, callback
        case submittedAt = "submitted_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

/// `GET /v1/scans`.
struct ScanJobList: Encodable {
    var scans: [ScanJobView]
}
