import Logging
import PostgresNIO
import Synchronization

/// The fleet's PostgreSQL: one client (a small connection pool) shared by every fleet part of
/// this node, and a deadline on every operation, so that an unreachable database is an error the
/// caller handles within seconds, never a hang.
public final class ClusterDatabase: Sendable {
    /// Where it is (shown without password).
    public let url: ClusterDatabaseURL
    let logger: Logger
    /// Longest any one operation may take.
    let deadline: Duration
    private let configuration: PostgresClient.Configuration
    private let backgroundLogger: Logger
    /// The pool in use, its task once ``run()`` started it, and since when operations fail.
    private let pool: Mutex<Pool>

    private struct Pool {
        var client: PostgresClient
        var task: Task<Void, Never>?
        var running = false
        var failingSince: ContinuousClock.Instant?
    }

    /// After failing this long, the pool is replaced by a fresh one. The pool spaces its own
    /// reconnection attempts out to a minute during an outage; a fresh pool connects at once, so
    /// a node is back within a round of the database, not up to a minute later (by which time
    /// its leases would have moved).
    static let freshPoolAfter: Duration = .seconds(3)

    /// Creates the client; nothing connects until ``run()``.
    public init(url: ClusterDatabaseURL, deadline: Duration = .seconds(5), logger: Logger) throws(ClusterError) {
        self.url = url
        self.deadline = deadline
        self.logger = logger
        // The pool logs every failed connection attempt; the fleet parts log an outage once.
        var background = logger
        background.logLevel = max(logger.logLevel, .error)
        backgroundLogger = background
        configuration = try url.clientConfiguration()
        pool = Mutex(Pool(client: PostgresClient(configuration: configuration, backgroundLogger: background)))
    }

    /// The connection pool in use.
    var client: PostgresClient { pool.withLock { $0.client } }

    /// Keeps a connection pool until the calling task is cancelled.
    public func run() async {
        pool.withLock { pool in
            pool.running = true
            let client = pool.client
            pool.task = Task { await client.run() }
        }
        await withTaskCancellationHandler {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        } onCancel: {
            pool.withLock { pool in
                pool.running = false
                pool.task?.cancel()
            }
        }
    }

    /// Notes how an operation ended; past ``freshPoolAfter`` of failures, starts a fresh pool.
    private func note(success: Bool) {
        let now = ContinuousClock.now
        pool.withLock { pool in
            guard !success else {
                pool.failingSince = nil
                return
            }
            guard let since = pool.failingSince else {
                pool.failingSince = now
                return
            }
            guard pool.running, now - since >= Self.freshPoolAfter else { return }
            pool.task?.cancel()
            let client = PostgresClient(configuration: configuration, backgroundLogger: backgroundLogger)
            pool.client = client
            pool.task = Task { await client.run() }
            pool.failingSince = now
        }
    }

    /// Runs `body` against the database; past the deadline (the database's, unless `deadline`
    /// gives a longer one for slow work such as migrations) the caller gets
    /// ``ClusterError/Reason/timedOut(operation:seconds:)`` at once, and the operation is left to
    /// finish or fail on its own.
    @discardableResult
    func perform<T: Sendable>(
        _ operation: String, deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws(ClusterError) -> T {
        let deadline = deadline ?? self.deadline
        let outcome = OnceResult<T>()
        let client = client
        let work = Task {
            do {
                outcome.resolve(.success(try await body(client)))
            } catch {
                outcome.resolve(.failure(Self.describe(error)))
            }
        }
        let timer = Task { [deadline] in
            try? await Task.sleep(for: deadline)
            outcome.resolve(.failure(.timedOut))
        }
        let result = await outcome.value()
        work.cancel()
        timer.cancel()
        switch result {
        case .success, .failure(.refused): note(success: true)
        case .failure(.timedOut), .failure(.failed): note(success: false)
        }
        switch result {
        case .success(let value):
            return value
        case .failure(.timedOut):
            throw ClusterError(database: url.description, reason: .timedOut(operation: operation, seconds: deadline / .seconds(1)))
        case .failure(.failed(let message)):
            throw ClusterError(database: url.description, reason: .database("\(operation): \(message)"))
        case .failure(.refused(let error)):
            throw error
        }
    }

    /// Runs `body` in one transaction, with the same deadline.
    @discardableResult
    func transaction<T: Sendable>(
        _ operation: String, deadline: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(ClusterError) -> T {
        let logger = logger
        return try await perform(operation, deadline: deadline) { client in
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// How an operation failed, as the caller reports it.
    enum Failure: Error {
        case timedOut
        case failed(String)
        case refused(ClusterError)
    }

    private static func describe(_ error: any Error) -> Failure {
        if let refusal = error as? ClusterError { return .refused(refusal) }
        if let transaction = error as? PostgresTransactionError {
            if let refusal = transaction.closureError as? ClusterError { return .refused(refusal) }
            if let closure = transaction.closureError { return describe(closure) }
        }
        if let psql = error as? PSQLError {
            // PSQLError hides the server's message from its description on purpose.
            if let message = psql.serverInfo?[.message] { return .failed(message) }
            return .failed("\(psql.code)")
        }
        return .failed(String(describing: error))
    }
}

/// A result delivered once, to one waiter, by whichever of several tasks comes first.
private final class OnceResult<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, ClusterDatabase.Failure>?, waiter: CheckedContinuation<Result<T, ClusterDatabase.Failure>, Never>?)>((nil, nil))

    func resolve(_ result: Result<T, ClusterDatabase.Failure>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<T, ClusterDatabase.Failure>, Never>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    func value() async -> Result<T, ClusterDatabase.Failure> {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> Result<T, ClusterDatabase.Failure>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}
