import Foundation

/// Where scan jobs are queued so that none accepted is lost: a single node's state database
/// (``LocalScanJobs``), or the fleet's (``FleetScanJobs``), where any node takes the next job.
///
/// Every change that belongs to an attempt names the node and the attempt, so a node that lost a
/// job (requeued after it stopped answering) cannot finish it over the newer attempt. The same
/// behaviour tests run against both implementations.
public protocol ScanJobStore: Sendable {
    /// Queues `job` unless its id is taken (the stored job is returned) or `capacity` jobs are
    /// already queued or running.
    func submit(_ job: ScanJob, capacity: Int) async throws -> ScanSubmission
    /// Takes up to `limit` queued jobs, oldest first, for `node`: each becomes running, with its
    /// attempts counted and `now` as its start.
    func claim(limit: Int, node: String, now: Date) async throws -> [ScanJob]
    /// Records how far `node`'s attempt at a job has got; false when the attempt is no longer
    /// the job's (it was requeued).
    func record(_ progress: ScanJob.Progress, job id: String, node: String, attempt: Int) async throws -> Bool
    /// Records how `node`'s attempt at a job ended; false when the attempt is no longer the job's.
    func finish(job id: String, node: String, attempt: Int, outcome: ScanJob.Outcome, at: Date) async throws -> Bool
    /// One job.
    func job(id: String) async throws -> ScanJob?
    /// Jobs, newest first, in `state` when given.
    func jobs(state: ScanJob.State?, limit: Int) async throws -> [ScanJob]
    /// Jobs `node` was running go back to the queue, in their old place: at its start (it
    /// stopped without finishing them) and when it drains.
    func requeueRunning(node: String) async throws -> Int
    /// Jobs running on nodes that stopped answering go back to the queue (in a fleet: nodes
    /// whose heartbeat is older than `staleAfter` seconds; a single node has no others).
    func requeueAbandoned(staleAfter: Double) async throws -> Int
    /// Deletes jobs that ended before `date`.
    func prune(finishedBefore date: Date) async throws -> Int
}

/// What ``ScanJobStore/submit(_:capacity:)`` did.
public enum ScanSubmission: Sendable, Equatable {
    /// The job is queued.
    case queued
    /// A job with the id exists: it is given back as stored.
    case exists(ScanJob)
    /// `capacity` jobs are queued or running.
    case full
}
