import Foundation
import Logging
import VigilDaemon
import VigilTestSupport

/// The fleet's lease code against a real PostgreSQL: a server of its own, simulated nodes that
/// share a few database handles, and the phases of ``FleetRun``. The server is stopped at the
/// end, also when a phase fails or the run is interrupted.
struct FleetBenchmark {
    var options: FleetBenchOptions
    var logger: Logger

    /// Runs every phase and returns what they measured; `progress` hears of each step.
    func run(progress: @escaping @Sendable (String) -> Void) async throws -> FleetReport {
        let server = try await PostgresServer.start()
        do {
            try await StatementStatistics.preload(on: server)
            let report = try await run(on: server, progress: progress)
            await server.stop()
            return report
        } catch {
            let log = server.log.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).joined(separator: "\n")
            await server.stop()
            throw FleetBenchError("\(error)\n--- the end of PostgreSQL's log ---\n\(log)")
        }
    }

    private func run(on server: PostgresServer, progress: @escaping @Sendable (String) -> Void) async throws -> FleetReport {
        let url = try ClusterDatabaseURL("\(server.url)?sslmode=disable")
        let databases = try (0..<options.handles).map { _ in try ClusterDatabase(url: url, logger: logger) }
        let observer = FleetObserver(server: server, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for database in databases { group.addTask { await database.run() } }
            group.addTask { await observer.run() }
            defer { group.cancelAll() }
            let fleet = FleetRun(options: options, server: server, databases: databases, observer: observer)
            do {
                let report = try await phases(of: fleet, progress: progress)
                await fleet.stopAll()
                return report
            } catch {
                await fleet.stopAll()
                throw error
            }
        }
    }

    private func phases(of fleet: FleetRun, progress: @Sendable (String) -> Void) async throws -> FleetReport {
        progress("PostgreSQL up; writing \(options.streams) config streams")
        let upsert = try await fleet.prepare()
        var phases: [(key: String, result: PhaseResult)] = []
        func nodes(_ count: Int) -> String { count == 1 ? "1 node" : "\(count) nodes" }
        func phase(_ key: String, _ what: String, _ body: () async throws -> PhaseResult) async throws {
            progress(what)
            let result = try await body()
            phases.append((key, result))
            let shown = { (value: Double?) in value.map { String(format: "%.2f s", $0) } ?? "-" }
            progress("  \(result.name): all held \(shown(result.allHeld)), balanced \(shown(result.balanced)), settled: \(result.settled)")
        }
        try await phase("cold", "(a) cold start of \(nodes(options.nodes))") { try await fleet.coldStart() }
        try await phase("kill", "(b) killing \(nodes(options.churn))") { try await fleet.kill() }
        try await phase("join", "(c) \(nodes(options.churn)) joining") { try await fleet.join() }
        progress("(d) steady state for \(options.steadySeconds) s")
        let steady = try await fleet.steady()
        try await phase("leave", "(e) \(nodes(options.churn)) releasing gracefully") { try await fleet.leave() }
        return FleetReport(
            options: options, roundInterval: fleet.roundInterval, maxStreams: fleet.maxStreams, upsertSeconds: upsert.seconds,
            freshTable: upsert.table, phases: phases, steady: steady)
    }
}
