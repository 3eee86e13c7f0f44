/// A failure of the benchmark itself (bad flags, a phase that cannot go on), as printed.
struct FleetBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The benchmark's settings, from `--name value` flags.
struct FleetBenchOptions: Sendable {
    /// Simulated nodes at the start (and again after the joins).
    var nodes = 100
    /// Config streams in the fleet.
    var streams = 10_000
    /// Lease TTL in seconds; the round interval follows from it as in a real node.
    var ttl = 10.0
    /// Database handles (each a pool of up to four connections) shared by the nodes: the test
    /// server allows PostgreSQL's default 100 connections, fewer than one pool per node.
    var handles = 10
    /// Nodes killed, joined and released in the churn phases; a tenth of the fleet by default.
    var churn: Int
    /// Length of the steady-state window in seconds.
    var steadySeconds = 20.0
    /// Longest a phase may take to settle, in seconds, before it is reported as not settled.
    var settleTimeout: Double

    static let usage = """
        usage: vigil-fleet-bench [--nodes N] [--streams N] [--ttl SECONDS] [--handles N] [--churn N]
                                 [--steady SECONDS] [--settle-timeout SECONDS]
        defaults: 100 nodes, 10000 streams, TTL 10 s, 10 handles, churn a tenth of the nodes,
                  20 s steady state, settle timeout 60 s + 2 TTL
        """

    /// Parses `arguments` (without the program name).
    init(_ arguments: ArraySlice<String>) throws(FleetBenchError) {
        var values: [String: String] = [:]
        var rest = arguments
        while let flag = rest.popFirst() {
            guard flag.hasPrefix("--"), flag != "--help", let value = rest.popFirst() else {
                throw FleetBenchError(Self.usage)
            }
            values[String(flag.dropFirst(2))] = value
        }
        nodes = try Self.take(&values, "nodes", as: Int.self) ?? nodes
        streams = try Self.take(&values, "streams", as: Int.self) ?? streams
        ttl = try Self.take(&values, "ttl", as: Double.self) ?? ttl
        handles = try Self.take(&values, "handles", as: Int.self) ?? handles
        churn = try Self.take(&values, "churn", as: Int.self) ?? max(1, nodes / 10)
        steadySeconds = try Self.take(&values, "steady", as: Double.self) ?? steadySeconds
        settleTimeout = try Self.take(&values, "settle-timeout", as: Double.self) ?? (60 + 2 * ttl)
        if let unknown = values.keys.sorted().first {
            throw FleetBenchError("unknown flag --\(unknown)\n\(Self.usage)")
        }
        guard nodes >= 2, streams >= 1, ttl >= 1, handles >= 1, steadySeconds > 0, settleTimeout > 0 else {
            throw FleetBenchError("need at least 2 nodes, 1 stream, a TTL of 1 s, 1 handle, positive durations\n\(Self.usage)")
        }
        // Killing or releasing every node would leave nobody to take the streams over.
        guard (1..<nodes).contains(churn) else {
            throw FleetBenchError("--churn must be in 1..<\(nodes)")
        }
        handles = min(handles, nodes)
    }

    private static func take<T: LosslessStringConvertible>(
        _ values: inout [String: String], _ name: String, as: T.Type
    ) throws(FleetBenchError) -> T? {
        guard let text = values.removeValue(forKey: name) else { return nil }
        guard let value = T(text) else { throw FleetBenchError("--\(name) \(text): not a number") }
        return value
    }
}
