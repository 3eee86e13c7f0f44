/// Why the daemon refused a scan-job request. The API maps each case to its HTTP status.
public enum ScanJobError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed (the field and the problem).
    case invalid(String)
    /// This daemon may not read the source (file roots, the egress policy).
    case refused(String)
    /// The id is taken by a job with another source or callback.
    case idTaken(String)
    /// `scans.queue` jobs are queued or running; try again later.
    case queueFull(queue: Int)
    /// No job has the id.
    case notFound(String)
    /// The job store cannot be written or read now (see the log).
    case storeUnavailable

    public var description: String {
        switch self {
        case .invalid(let problem): problem
        case .refused(let reason): "source: \(reason)"
        case .idTaken(let id): "a scan job with id \(id.debugDescription) exists with another source or callback"
        case .queueFull(let queue): "\(queue) scan jobs are queued or running (scans.queue); try again later"
        case .notFound(let id): "no scan job with id \(id.debugDescription)"
        case .storeUnavailable: "the scan-job queue cannot be reached; see the daemon's log"
        }
    }
}
