import NIOPosix

/// Threads that hash frames off Swift's cooperative pool: a scan's own (`NIOThreadPool`), or the
/// daemon's hashing pool shared with live streams, where a scan's frames wait for the live ones.
public protocol HashingThreads: Sendable {
    /// Runs `work` on one of the threads and returns its result; throws when the threads are
    /// shutting down and the work was not run.
    func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result
}

extension NIOThreadPool: HashingThreads {
    public func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result {
        try await runIfActive(work)
    }
}
