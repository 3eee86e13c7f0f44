import Foundation
import VigilAlerts

extension DaemonCore {
    /// Seconds a client told the queue is full waits before trying again.
    static let scanRetryAfter = 5
    /// Chooses ids for jobs submitted without one: sortable, like alert ids.
    private static let scanIDs = AlertIDGenerator()

    /// Accepts a scan job: checks that this daemon may read its source, queues it durably and
    /// wakes the runner. Returns the job, and whether it is new: a request repeating a stored
    /// job's id, source and callback gets the stored job back (a client's retry).
    func submitScan(_ request: ScanRequest) async throws(ScanJobError) -> (job: ScanJob, created: Bool) {
        let settings = config.scans
        if let refusal = settings.refusal(of: request.source) { throw .refused(refusal) }
        if !StreamURLPolicy.isFile(request.source), let refusal = await egressRefusal(url: request.source) {
            logger.notice("scan source refused by the egress policy", metadata: ["reason": "\(refusal)"])
            throw .refused("the host is not allowed by the daemon's egress policy (egress in its config)")
        }
        let now = Date()
        let job = ScanJob(
            id: request.id ?? Self.scanIDs.next(at: now).rawValue, source: request.source, callback: request.callback,
            submittedAt: now)
        let submission: ScanSubmission
        do {
            submission = try await scanStore.submit(job, capacity: settings.queue)
        } catch {
            logger.error("cannot queue a scan job", metadata: ["scan": "\(job.id)", "error": "\(error)"])
            throw .storeUnavailable
        }
        switch submission {
        case .queued:
            logger.info("scan job queued", metadata: ["scan": "\(job.id)", "source": "\(job.shownSource)"])
            scans.wake()
            return (job, true)
        case .exists(let stored):
            guard stored.source == job.source, stored.callback == job.callback else { throw .idTaken(job.id) }
            return (stored, false)
        case .full:
            metrics.scanJobsRefused.increment()
            throw .queueFull(queue: settings.queue)
        }
    }

    /// One scan job.
    func scanJob(id: String) async throws(ScanJobError) -> ScanJob {
        let found: ScanJob?
        do {
            found = try await scanStore.job(id: id)
        } catch {
            logger.error("cannot read a scan job", metadata: ["scan": "\(id)", "error": "\(error)"])
            throw .storeUnavailable
        }
        guard let found else { throw .notFound(id) }
        return found
    }

    /// Scan jobs, newest first, in `state` when given.
    func scanJobs(state: ScanJob.State?, limit: Int) async throws(ScanJobError) -> [ScanJob] {
        do {
            return try await scanStore.jobs(state: state, limit: limit)
        } catch {
            logger.error("cannot list scan jobs", metadata: ["error": "\(error)"])
            throw .storeUnavailable
        }
    }

    /// Deletes jobs that ended more than `scans.retention` ago.
    func pruneScanJobs() async {
        let cutoff = Date().addingTimeInterval(-config.scans.retention)
        do {
            let pruned = try await scanStore.prune(finishedBefore: cutoff)
            if pruned > 0 { logger.info("finished scan jobs pruned", metadata: ["jobs": "\(pruned)"]) }
        } catch {
            logger.error("cannot prune finished scan jobs; will retry", metadata: ["error": "\(error)"])
        }
    }
}
