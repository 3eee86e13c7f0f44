import Foundation
import VigilDaemon

/// How one phase settled. Times are seconds from the phase's start; nil when not reached
/// within the settle timeout (or, for `allHeld`, not meaningful: nothing was orphaned).
struct PhaseResult {
    /// What happened, e.g. "10 killed".
    var name: String
    /// Live nodes in the phase.
    var nodes: Int
    /// Whether the phase starts with streams to take over, so that ``allHeld`` means something.
    var measuresAllHeld = true
    /// When every stream was first seen held by a live node.
    var allHeld: Double?
    /// When every live node was first seen within the fair share ± (1 + slack).
    var balanced: Double?
    /// When a round last took or offered a stream.
    var lastMove: Double?
    /// Whether the phase ended with nothing moving, rather than at the settle timeout.
    var settled = false
    /// Streams whose holder differs between the phase's start and end; nil for the cold start.
    var moved: Int?
    /// Streams nodes newly held in the phase's rounds (a stream moved twice counts twice).
    var taken = 0
    /// Most streams two live nodes would read at once (their own views), at any look.
    var readTwice = 0
    /// Most streams no live node would read, at any look.
    var unread = 0
    /// Rounds that failed.
    var roundErrors = 0
    /// Claim statements per second once nothing moved any more (nil when not settled).
    var idleClaimsPerSecond: Double?
    /// Fewest and most streams a live node held at the end, and the fair share.
    var fewest = 0
    var most = 0
    var target = 0
}

/// The steady-state window.
struct SteadyResult {
    /// Live nodes.
    var nodes: Int
    /// The window's length.
    var seconds: Double
    /// The rounds that ended in it.
    var rounds: [RoundRecord]
    /// Transactions PostgreSQL committed in it (`xact_commit`).
    var committed: Int
    /// CPU seconds of PostgreSQL and of this process in it.
    var postgresCPU: Double
    var benchCPU: Double
    /// Fraction of the machine's CPU (all cores) busy in it, by anything.
    var machineBusy: Double
    /// Streams read by two live nodes, and by none, at the end (their own views).
    var readTwice: Int
    var unread: Int
    /// The stream table at the start and end.
    var tableBefore: FleetObserver.StreamTable
    var tableAfter: FleetObserver.StreamTable
    /// The statements that took PostgreSQL the most time, most first.
    var serverStatements: [StatementStatistics]

    /// Stream rows updated in the window, and the share of them updated in place.
    var rowUpdates: Int { tableAfter.updates - tableBefore.updates }
    var hotShare: Double { Double(tableAfter.hotUpdates - tableBefore.hotUpdates) / Double(max(1, rowUpdates)) }

    private var ok: [RoundRecord] { rounds.filter { !$0.failed } }
    var statements: Int { rounds.reduce(0) { $0 + $1.statements } }
    var claims: Int { rounds.count { $0.claimed } }
    var offers: Int { rounds.count { $0.offered } }
    var taken: Int { rounds.reduce(0) { $0 + $1.taken } }
    var errors: Int { rounds.count { $0.failed } }
    func perSecond(_ count: Int) -> Double { Double(count) / seconds }

    /// The `q` quantile of the successful rounds' latency, in milliseconds.
    func latency(_ q: Double) -> Double {
        let sorted = ok.map(\.seconds).sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = min(sorted.count - 1, max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1))
        return sorted[rank] * 1000
    }
}

/// Everything a run measured, printed as a table and as one JSON line.
struct FleetReport {
    var options: FleetBenchOptions
    var roundInterval: Double
    var maxStreams: Int
    var upsertSeconds: Double
    /// The stream table right after the upsert, before any lease.
    var freshTable: FleetObserver.StreamTable
    var phases: [(key: String, result: PhaseResult)]
    var steady: SteadyResult

    /// The human-readable table.
    var table: String {
        var lines = [
            "vigil-fleet-bench: \(options.nodes) nodes × \(options.streams) streams, lease TTL \(format(options.ttl)) s, "
                + "a round every \(format(roundInterval)) s, \(options.handles) database handles, max \(maxStreams) streams a node, "
                + "slack \(LeasePlanner.slack)",
            "config upsert of \(options.streams) streams: \(seconds(upsertSeconds)), "
                + "table \(megabytes(freshTable.heapBytes)) (\(megabytes(freshTable.totalBytes)) with indexes)",
            "",
            row("phase", "nodes", "all held", "balanced", "last move", "moved", "taken", "read twice", "unread", "errors", "idle claims/s",
                "end min/max/share"),
        ]
        for (_, phase) in phases {
            lines.append(row(
                phase.name, "\(phase.nodes)", seconds(phase.allHeld, shown: phase.measuresAllHeld),
                seconds(phase.balanced), seconds(phase.lastMove), phase.moved.map(String.init) ?? "-", "\(phase.taken)",
                "\(phase.readTwice)", "\(phase.unread)", "\(phase.roundErrors)", phase.idleClaimsPerSecond.map(format) ?? "-",
                "\(phase.fewest)/\(phase.most)/\(phase.target)" + (phase.settled ? "" : " (not settled)")))
        }
        let s = steady
        lines += [
            "",
            "(d) steady state, \(s.nodes) nodes over \(seconds(s.seconds)):",
            "  statements/s (nodes)  \(format(s.perSecond(s.statements))): renew \(format(s.perSecond(s.rounds.count - s.errors))), "
                + "census \(format(s.perSecond(s.rounds.count - s.errors))), claim \(format(s.perSecond(s.claims))), offer \(format(s.perSecond(s.offers)))",
            "  xact_commit/s         \(format(s.perSecond(s.committed)))",
            "  rounds                \(s.rounds.count) (\(s.errors) failed), streams taken \(s.taken)",
            "  round latency         p50 \(format(s.latency(0.5))) ms, p99 \(format(s.latency(0.99))) ms, max \(format(s.latency(1))) ms",
            "  PostgreSQL CPU        \(format(100 * s.postgresCPU / s.seconds)) % of one core",
            "  benchmark CPU         \(format(100 * s.benchCPU / s.seconds)) % of one core",
            "  machine busy          \(format(100 * s.machineBusy)) % of all \(ProcessInfo.processInfo.activeProcessorCount) cores",
            "  read twice / unread   \(s.readTwice) / \(s.unread) at the end",
            "  stream table          rows \(megabytes(s.tableBefore.heapBytes)) → \(megabytes(s.tableAfter.heapBytes)), "
                + "with indexes \(megabytes(s.tableBefore.totalBytes)) → \(megabytes(s.tableAfter.totalBytes)), "
                + "\(s.tableAfter.deadRows) dead row versions at the end",
            "  row updates/s         \(format(s.perSecond(s.rowUpdates))), \(format(100 * s.hotShare)) % in place (HOT), "
                + "\(s.tableAfter.autovacuums - s.tableBefore.autovacuums) autovacuum runs",
            "  PostgreSQL time by statement (pg_stat_statements; execution time, waits for a CPU included):",
            "    calls/s   mean ms  running     pages/call  statement",
        ]
        for statement in s.serverStatements {
            lines.append("    " + [
                pad(format(s.perSecond(statement.calls)), 9), pad(format(statement.milliseconds / Double(max(1, statement.calls))), 8),
                pad(format(statement.milliseconds / 1000 / s.seconds), 12), pad("\(statement.blocks / max(1, statement.calls))", 11),
                String(statement.query.prefix(90)),
            ].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// The same numbers as one JSON object on one line; times in seconds, null when not reached.
    func json() throws -> String {
        var object: [String: Any] = [
            "nodes": options.nodes, "streams": options.streams, "ttl_s": options.ttl, "round_interval_s": roundInterval,
            "handles": options.handles, "churn": options.churn, "max_streams": maxStreams, "slack": LeasePlanner.slack,
            "upsert_s": rounded(upsertSeconds), "fresh_table_heap_bytes": freshTable.heapBytes,
            "fresh_table_total_bytes": freshTable.totalBytes,
        ]
        for (key, phase) in phases {
            let fields: [String: Any] = [
                "all_held_s": rounded(phase.allHeld), "balanced_s": rounded(phase.balanced), "last_move_s": rounded(phase.lastMove),
                "settled": phase.settled, "moved": phase.moved.map { $0 as Any } ?? NSNull(), "taken": phase.taken,
                "read_twice_max": phase.readTwice, "unread_max": phase.unread, "round_errors": phase.roundErrors,
                "idle_claims_per_s": rounded(phase.idleClaimsPerSecond), "end_min": phase.fewest, "end_max": phase.most, "share": phase.target,
            ]
            for (name, value) in fields { object["\(key)_\(name)"] = value }
        }
        let s = steady
        let fields: [String: Any] = [
            "nodes": s.nodes, "seconds": rounded(s.seconds), "statements_per_s": rounded(s.perSecond(s.statements)),
            "claims_per_s": rounded(s.perSecond(s.claims)), "offers_per_s": rounded(s.perSecond(s.offers)),
            "xact_commit_per_s": rounded(s.perSecond(s.committed)), "rounds": s.rounds.count, "round_errors": s.errors,
            "taken": s.taken, "round_p50_ms": rounded(s.latency(0.5)), "round_p99_ms": rounded(s.latency(0.99)),
            "round_max_ms": rounded(s.latency(1)), "postgres_cpu_pct": rounded(100 * s.postgresCPU / s.seconds),
            "bench_cpu_pct": rounded(100 * s.benchCPU / s.seconds), "machine_busy_pct": rounded(100 * s.machineBusy),
            "table_heap_bytes_start": s.tableBefore.heapBytes, "table_heap_bytes_end": s.tableAfter.heapBytes,
            "table_total_bytes_start": s.tableBefore.totalBytes, "table_total_bytes_end": s.tableAfter.totalBytes,
            "dead_rows_end": s.tableAfter.deadRows, "row_updates_per_s": rounded(s.perSecond(s.rowUpdates)),
            "hot_update_pct": rounded(100 * s.hotShare), "autovacuums": s.tableAfter.autovacuums - s.tableBefore.autovacuums,
            "server_statements": s.serverStatements.map { statement -> [String: Any] in
                [
                    "query": String(statement.query.prefix(90)), "calls_per_s": rounded(s.perSecond(statement.calls)),
                    "mean_ms": rounded(statement.milliseconds / Double(max(1, statement.calls))),
                    "running": rounded(statement.milliseconds / 1000 / s.seconds), "pages_per_call": statement.blocks / max(1, statement.calls),
                ]
            },
        ]
        for (name, value) in fields { object["steady_\(name)"] = value }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private func row(_ cells: String...) -> String {
        let widths = [19, 6, 10, 10, 10, 7, 7, 11, 7, 7, 14, 0]
        return zip(cells, widths).map(pad).joined(separator: " ")
    }

    private func pad(_ cell: String, _ width: Int) -> String {
        cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
    }

    private func seconds(_ value: Double?, shown: Bool = true) -> String {
        guard shown else { return "-" }
        return value.map { "\(format($0)) s" } ?? "never"
    }

    private func megabytes(_ bytes: Int) -> String { "\(format(Double(bytes) / 1_048_576)) MiB" }

    private func format(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }

    private func rounded(_ value: Double?) -> Any {
        guard let value else { return NSNull() }
        return (value * 1000).rounded() / 1000
    }
}
