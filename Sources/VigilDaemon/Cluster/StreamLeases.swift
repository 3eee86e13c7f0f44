import Foundation
import Logging
import PostgresNIO

/// The fleet's streams in PostgreSQL: the desired state (every stream to watch) and who reads
/// each one, under leases.
///
/// Times come from the database's clock (`now()`), so nodes' clocks need not agree. Every
/// statement is one round trip; a round of a node in steady state is two (``renew()`` and
/// ``census()``).
public struct StreamLeases: StreamStore {
    /// A stream as the fleet table holds it.
    public struct Row: Sendable, Equatable {
        /// The stream.
        public var spec: StreamSpec
        /// The node whose lease is live, if any.
        public var node: String?
    }

    /// A node as the fleet table holds it.
    public struct Node: Sendable, Equatable, Codable {
        /// Its id.
        public var id: String
        /// Its Vigil version.
        public var version: String
        /// When it (last) started.
        public var startedAt: Date
        /// Its last heartbeat.
        public var lastHeartbeat: Date
        /// Streams it holds under a live lease.
        public var streams: Int
        /// Most streams it holds.
        public var maxStreams: Int
        /// `up`, `draining`, or `gone` (stopped, or no heartbeat within the lease TTL).
        public var state: String

        enum CodingKeys: String, CodingKey {
            case id, version, streams, state
            case startedAt = "started_at"
            case lastHeartbeat = "last_heartbeat"
            case maxStreams = "max_streams"
        }
    }

    let database: ClusterDatabase
    /// This node.
    public let node: String
    /// Lease length in seconds.
    public let ttl: Double
    private let unreadable = UnreadableRows()

    /// Leases of `node` in `database`, lasting `ttl` seconds.
    public init(database: ClusterDatabase, node: String, ttl: Double) {
        self.database = database
        self.node = node
        self.ttl = ttl
    }

    private var logger: Logger { database.logger }

    // MARK: This node

    /// Records this node as up (again), with its version and limit.
    public func register(version: String, maxStreams: Int) async throws(ClusterError) {
        let (node, logger) = (node, logger)
        try await database.perform("node registration") { client in
            try await client.query("""
                INSERT INTO vigil_nodes (id, version, started_at, last_heartbeat, max_streams, state)
                VALUES (\(node), \(version), now(), now(), \(maxStreams), 'up')
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, started_at = now(),
                    last_heartbeat = now(), max_streams = EXCLUDED.max_streams, state = 'up'
                """, logger: logger)
        }
    }

    /// Heartbeat and renewal of every lease this node holds, in one statement; returns the
    /// streams still ours (a deleted stream, or one another node took, is gone from it) and
    /// whether each is offered.
    public func renew(state: String = "up") async throws(ClusterError) -> [(spec: StreamSpec, offered: Bool)] {
        let (node, ttl, logger) = (node, ttl, logger)
        let rows = try await database.perform("lease renewal") { client in
            var rows: [(String, Bool)] = []
            for try await row in try await client.query("""
                WITH beat AS (UPDATE vigil_nodes SET last_heartbeat = now(), state = \(state) WHERE id = \(node))
                UPDATE vigil_streams SET lease_until = now() + make_interval(secs => \(ttl))
                WHERE node = \(node) RETURNING spec::text, offered
                """, logger: logger).decode((String, Bool).self) {
                rows.append(row)
            }
            return rows
        }
        var held: [(spec: StreamSpec, offered: Bool)] = []
        // An unreadable row stays leased here (no other node could read it either), reported.
        for (text, offered) in rows {
            if let spec = unreadable.read(text, logger: logger, Self.decode) { held.append((spec, offered)) }
        }
        return held
    }

    /// The fleet's totals that ``LeasePlanner`` needs, in one statement and one pass over the
    /// streams (every node takes a census every round).
    public func census() async throws(ClusterError) -> LeasePlanner.Census {
        let (ttl, logger) = (ttl, logger)
        let counts = try await database.perform("census") { client in
            var result = (0, 0, 0, 0, 0)
            for try await row in try await client.query("""
                WITH up AS (SELECT id FROM vigil_nodes
                            WHERE state = 'up' AND last_heartbeat > now() - make_interval(secs => \(ttl))),
                     per AS (SELECT node, count(*) AS total, count(*) FILTER (WHERE lease_until >= now()) AS live,
                                    count(*) FILTER (WHERE lease_until >= now() AND offered) AS offered
                             FROM vigil_streams GROUP BY node)
                SELECT (SELECT coalesce(sum(total), 0) FROM per)::int8,
                       (SELECT coalesce(sum(total - live), 0) FROM per)::int8,
                       (SELECT count(*) FROM up)::int8,
                       (SELECT coalesce(min(coalesce(per.live, 0)), 0) FROM up LEFT JOIN per ON per.node = up.id)::int8,
                       (SELECT coalesce(sum(offered), 0) FROM per)::int8
                """, logger: logger).decode((Int, Int, Int, Int, Int).self) {
                result = row
            }
            return result
        }
        return LeasePlanner.Census(streams: counts.0, orphaned: counts.1, nodesUp: counts.2, fewestHeld: counts.3, offered: counts.4)
    }

    /// Claims up to `count` streams: orphaned ones (no live lease) first, then ones other nodes
    /// offer. Rows another node is claiming at the same moment are skipped, not waited for.
    public func claim(_ count: Int) async throws(ClusterError) -> [StreamSpec] {
        guard count > 0 else { return [] }
        let (node, ttl, logger) = (node, ttl, logger)
        let specs = try await database.perform("claim") { client in
            var specs: [String] = []
            for try await spec in try await client.query("""
                UPDATE vigil_streams s SET node = \(node), lease_until = now() + make_interval(secs => \(ttl)), offered = false
                FROM (SELECT id FROM vigil_streams
                      WHERE node IS NULL OR lease_until < now() OR (offered AND node <> \(node))
                      ORDER BY (node IS NOT NULL AND lease_until >= now()), created_at, id
                      LIMIT \(count) FOR UPDATE SKIP LOCKED) c
                WHERE s.id = c.id RETURNING s.spec::text
                """, logger: logger).decode(String.self) {
                specs.append(spec)
            }
            return specs
        }
        var claimed: [StreamSpec] = []
        for text in specs {
            if let spec = unreadable.read(text, logger: logger, Self.decode) { claimed.append(spec) }
        }
        return claimed
    }

    /// Withdraws this node's standing offers.
    public func withdrawOffers() async throws(ClusterError) {
        let (node, logger) = (node, logger)
        try await database.perform("offer withdrawal") { client in
            try await client.query("UPDATE vigil_streams SET offered = false WHERE node = \(node) AND offered", logger: logger)
        }
    }

    /// Offers `count` of this node's streams to nodes holding fewer.
    public func offer(_ count: Int) async throws(ClusterError) {
        guard count > 0 else { return }
        let (node, logger) = (node, logger)
        try await database.perform("offer") { client in
            try await client.query("""
                UPDATE vigil_streams SET offered = true
                WHERE id IN (SELECT id FROM vigil_streams WHERE node = \(node) AND NOT offered ORDER BY created_at DESC, id LIMIT \(count))
                """, logger: logger)
        }
    }

    /// Gives back every lease and marks the node `state` (`draining` keeps it out of fair
    /// shares; `gone` at the end of a graceful shutdown).
    public func release(state: String) async throws(ClusterError) {
        let (node, logger) = (node, logger)
        try await database.perform("lease release") { client in
            try await client.query("""
                WITH beat AS (UPDATE vigil_nodes SET last_heartbeat = now(), state = \(state) WHERE id = \(node))
                UPDATE vigil_streams SET node = NULL, lease_until = NULL, offered = false WHERE node = \(node)
                """, logger: logger)
        }
    }

    /// Gives back this node's sink delivery leases (after its delivery stopped), so another node
    /// delivers at once instead of after a TTL, and marks the node gone.
    public func releaseSinks() async throws(ClusterError) {
        let (node, logger) = (node, logger)
        try await database.perform("sink lease release") { client in
            try await client.query("""
                WITH gone AS (UPDATE vigil_nodes SET last_heartbeat = now(), state = 'gone' WHERE id = \(node))
                UPDATE vigil_sink_leases SET lease_until = now() WHERE node = \(node)
                """, logger: logger)
        }
    }

    // MARK: The desired state

    /// Makes the config streams in the table exactly `streams` (SIGHUP, start): new ones are
    /// added, changed ones updated (their reader restarts them), removed ones deleted. API
    /// streams are left alone; an API stream with a config stream's id becomes the config one.
    public func replaceConfigStreams(_ streams: [StreamSpec]) async throws(ClusterError) {
        let ids = streams.map(\.id)
        var encoded: [String] = []
        for stream in streams { encoded.append(try Self.encode(stream)) }
        let specs = encoded
        try await database.transaction("config stream upsert") { connection in
            let logger = connection.logger
            try await connection.query("""
                INSERT INTO vigil_streams (id, spec, origin)
                SELECT id, spec::jsonb, 'config' FROM unnest(\(ids)::text[], \(specs)::text[]) AS t(id, spec)
                ON CONFLICT (id) DO UPDATE SET spec = EXCLUDED.spec, origin = 'config'
                WHERE vigil_streams.spec <> EXCLUDED.spec OR vigil_streams.origin <> 'config'
                """, logger: logger)
            try await connection.query(
                "DELETE FROM vigil_streams WHERE origin = 'config' AND NOT (id = ANY(\(ids)::text[]))", logger: logger)
        }
    }

    /// Adds an API stream; false when the id is taken.
    public func insert(_ stream: StreamSpec) async throws(ClusterError) -> Bool {
        let (spec, logger) = (try Self.encode(stream), logger)
        return try await database.perform("stream insert") { client in
            var inserted = false
            for try await _ in try await client.query("""
                INSERT INTO vigil_streams (id, spec, origin) VALUES (\(stream.id), \(spec)::jsonb, \(stream.origin.rawValue))
                ON CONFLICT (id) DO NOTHING RETURNING id
                """, logger: logger).decode(String.self) {
                inserted = true
            }
            return inserted
        }
    }

    /// Deletes an API stream; a config stream stays (the config file owns it).
    public func removeStream(id: String) async throws(ClusterError) -> StreamRemoval {
        let logger = logger
        return try await database.perform("stream delete") { client in
            var origin: String?
            for try await row in try await client.query("""
                WITH gone AS (DELETE FROM vigil_streams WHERE id = \(id) AND origin = 'api' RETURNING origin)
                SELECT origin FROM gone UNION ALL SELECT origin FROM vigil_streams WHERE id = \(id) AND origin <> 'api'
                """, logger: logger).decode(String.self) {
                origin = row
            }
            switch origin {
            case "api": return .removed
            case nil: return .notFound
            case let discovered? where discovered.hasPrefix("discovery:"): return .isDiscovered(String(discovered.dropFirst("discovery:".count)))
            default: return .isConfig
            }
        }
    }

    /// What ``applyDiscovery(source:streams:polledAt:)`` changed in the table.
    public struct DiscoveryApplied: Sendable, Equatable {
        /// Ids added.
        public var added: [String]
        /// Ids deleted: no longer published.
        public var removed: [String]
        /// Published ids another origin holds, left to it.
        public var taken: [String]
        /// The source's rows after the poll.
        public var watched: Int
    }

    /// Takes this node's turn to poll a discovery source at `now`, unless some node took one
    /// after `cutoff`: then nil, and the source's latest poll with how many of its streams the
    /// table holds. Taking the turn records `now` as the source's latest poll, so of nodes asking
    /// at once one polls and the others skip.
    public func claimDiscoveryPoll(
        source: String, now: Date, cutoff: Date
    ) async throws(ClusterError) -> PollTurn? {
        let origin = StreamSpec.Origin.discovery(source).rawValue
        let logger = logger
        return try await database.transaction("discovery poll claim") { connection -> PollTurn? in
            for try await _ in try await connection.query("""
                INSERT INTO vigil_discovery_polls (source, polled_at) VALUES (\(source), \(now))
                ON CONFLICT (source) DO UPDATE SET polled_at = EXCLUDED.polled_at
                WHERE vigil_discovery_polls.polled_at <= \(cutoff)
                RETURNING source
                """, logger: logger).decode(String.self) {
                return nil
            }
            for try await (polledAt, watched) in try await connection.query("""
                SELECT polled_at, (SELECT count(*) FROM vigil_streams WHERE origin = \(origin))
                FROM vigil_discovery_polls WHERE source = \(source)
                """, logger: logger).decode((Date, Int).self) {
                return PollTurn(polledAt: polledAt, watched: watched)
            }
            return nil
        }
    }

    /// Hands back a turn taken at `takenAt` whose poll failed, unless another node took one since:
    /// the source's latest poll becomes `staleAt`, old enough for any node to take the next turn.
    public func releaseDiscoveryPoll(source: String, takenAt: Date, staleAt: Date) async throws(ClusterError) {
        let logger = logger
        try await database.perform("discovery poll release") { client in
            try await client.query(
                "UPDATE vigil_discovery_polls SET polled_at = \(staleAt) WHERE source = \(source) AND polled_at = \(takenAt)",
                logger: logger)
        }
    }

    /// Makes `source`'s discovered streams in the table exactly `streams`, from a poll made at
    /// `polledAt`, unless another node already applied a later poll of the source, which wins
    /// (nil then). A published stream whose id another origin holds is left out. Any node may
    /// poll; the table decides.
    public func applyDiscovery(
        source: String, streams: [StreamSpec], polledAt: Date
    ) async throws(ClusterError) -> DiscoveryApplied? {
        let origin = StreamSpec.Origin.discovery(source).rawValue
        let ids = streams.map(\.id)
        var encoded: [String] = []
        for stream in streams { encoded.append(try Self.encode(stream)) }
        let specs = encoded
        return try await database.transaction("discovery apply") { connection -> DiscoveryApplied? in
            let logger = connection.logger
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(origin), 0))", logger: logger)
            for try await last in try await connection.query(
                "SELECT polled_at FROM vigil_discovery_polls WHERE source = \(source)", logger: logger
            ).decode(Date.self) where last > polledAt {
                return nil
            }
            try await connection.query("""
                INSERT INTO vigil_discovery_polls (source, polled_at) VALUES (\(source), \(polledAt))
                ON CONFLICT (source) DO UPDATE SET polled_at = EXCLUDED.polled_at
                """, logger: logger)
            var applied = DiscoveryApplied(added: [], removed: [], taken: [], watched: 0)
            for try await id in try await connection.query(
                "DELETE FROM vigil_streams WHERE origin = \(origin) AND NOT (id = ANY(\(ids)::text[])) RETURNING id", logger: logger
            ).decode(String.self) {
                applied.removed.append(id)
            }
            // xmax is 0 on a row this statement inserted, not on one it updated (a changed spec).
            for try await (id, inserted) in try await connection.query("""
                INSERT INTO vigil_streams (id, spec, origin)
                SELECT id, spec::jsonb, \(origin) FROM unnest(\(ids)::text[], \(specs)::text[]) AS t(id, spec)
                ON CONFLICT (id) DO UPDATE SET spec = EXCLUDED.spec
                WHERE vigil_streams.origin = EXCLUDED.origin AND vigil_streams.spec <> EXCLUDED.spec
                RETURNING id, (xmax = 0)
                """, logger: logger).decode((String, Bool).self) where inserted {
                applied.added.append(id)
            }
            for try await (id, rowOrigin) in try await connection.query(
                "SELECT id, origin FROM vigil_streams WHERE id = ANY(\(ids)::text[]) OR origin = \(origin)", logger: logger
            ).decode((String, String).self) {
                if rowOrigin == origin { applied.watched += 1 } else { applied.taken.append(id) }
            }
            applied.added.sort()
            applied.removed.sort()
            applied.taken.sort()
            return applied
        }
    }

    /// Every stream of the fleet, in the order added.
    public func streams() async throws(ClusterError) -> [StreamSpec] {
        try await streamsWithReaders().map(\.spec)
    }

    /// Every stream of the fleet (or the one with `id`), in the order added, with the node
    /// holding it.
    public func streamsWithReaders(id: String? = nil) async throws(ClusterError) -> [Row] {
        let logger = logger
        let rows = try await database.perform("stream list") { client in
            var rows: [(String, String?)] = []
            for try await row in try await client.query("""
                SELECT spec::text, CASE WHEN lease_until >= now() THEN node END FROM vigil_streams
                WHERE \(id)::text IS NULL OR id = \(id) ORDER BY created_at, id
                """, logger: logger).decode((String, String?).self) {
                rows.append(row)
            }
            return rows
        }
        var streams: [Row] = []
        for (text, node) in rows {
            if let spec = unreadable.read(text, logger: logger, Self.decode) { streams.append(Row(spec: spec, node: node)) }
        }
        return streams
    }

    /// Every node the fleet has seen, with its streams.
    public func nodes() async throws(ClusterError) -> [Node] {
        let (ttl, logger) = (ttl, logger)
        return try await database.perform("node list") { client in
            var nodes: [Node] = []
            for try await row in try await client.query("""
                SELECT n.id, n.version, n.started_at, n.last_heartbeat, n.max_streams,
                       CASE WHEN n.state <> 'gone' AND n.last_heartbeat <= now() - make_interval(secs => \(ttl)) THEN 'gone' ELSE n.state END,
                       (SELECT count(*) FROM vigil_streams s WHERE s.node = n.id AND s.lease_until >= now())::int8
                FROM vigil_nodes n ORDER BY n.id
                """, logger: logger).decode((String, String, Date, Date, Int, String, Int).self) {
                nodes.append(Node(id: row.0, version: row.1, startedAt: row.2, lastHeartbeat: row.3, streams: row.6, maxStreams: row.4, state: row.5))
            }
            return nodes
        }
    }

    // MARK: Coding

    static func encode(_ spec: StreamSpec) throws(ClusterError) -> String {
        try StoredJSON.encode(spec, what: "stream \(spec.id)")
    }

    static func decode(_ text: String) throws(ClusterError) -> StreamSpec {
        try StoredJSON.decode(StreamSpec.self, from: text, table: "vigil_streams")
    }
}
