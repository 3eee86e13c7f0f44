import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

extension FleetProcesses {
    /// Three `vigil serve` processes sharing one real PostgreSQL (started by the test), watching 30
    /// live UDP streams, one of them the known clip: assignment, kill -9 failover, API changes through
    /// different nodes, the database stopped and started, a rolling restart.
    @Suite("Fleet: three vigil serve nodes on one PostgreSQL", .serialized)
    struct FleetProcessTests {
        static let token = FleetNode.token
        static let secret = "fleet-secret"
        /// The default TTL, so that the failover measured is the one a fleet gets;
        /// `VIGIL_FLEET_TEST_TTL` tries another.
        static let leaseTTL = Int(ProcessInfo.processInfo.environment["VIGIL_FLEET_TEST_TTL"] ?? "") ?? 10

        @Test("assignment, kill -9 failover, API changes through any node, database restart, rolling restart",
              .timeLimit(.minutes(6)))
        func fleet() async throws {
            let directory = try Fixtures.temporaryDirectory()
            let server = try await PostgresServer.start()
            let receiver = WebhookReceiver()
            try await receiver.start()
            var senders: [Process] = []
            var nodes: [FleetNode] = []
            defer {
                for sender in senders { stopRealTimeSender(sender) }
                for node in nodes { node.process?.kill9() }
            }
            do {
                let bank = try await SampleClips.knownBank(in: directory)
                let ports = try (0..<31).map { _ in try freeLoopbackPort(udp: true) }
                var streams = ["known": ports[0], "unrelated-1": ports[1], "unrelated-2": ports[2]]
                for index in 3..<30 { streams[String(format: "idle-%02d", index)] = ports[index] }
                let config = directory.appendingPathComponent("vigil.yml").path
                try """
                    listen: 127.0.0.1:${PORT}
                    api_token: \(Self.token)
                    state_dir: ${STATE}
                    log: {format: json, level: info}
                    cluster:
                      database: "\(server.url)?sslmode=disable"
                      node_id: ${NODE}
                      lease_ttl: \(Self.leaseTTL)s
                    egress: {allow_hosts: [127.0.0.1]}
                    banks:
                      - {name: known, path: \(bank)}
                    streams:
                    \(streams.keys.sorted().map { "  - {id: \($0), url: \"udp://127.0.0.1:\(streams[$0]!)\"}" }.joined(separator: "\n"))
                    alerts:
                      retry: {initial: 100ms, max: 500ms}
                      webhooks:
                        - {name: hook, url: "\(receiver.url)", secret: \(Self.secret), timeout: 2s}
                    """.write(toFile: config, atomically: true, encoding: .utf8)
                nodes = try ["node-a", "node-b", "node-c"].map { try FleetNode(id: $0, directory: directory, config: config) }
                let started = ContinuousClock.now
                for node in nodes { try node.start() }
                senders.append(try startRealTimeSender(SampleClips.known, to: "udp://127.0.0.1:\(ports[0])?pkt_size=1316", seconds: 400))
                senders.append(try startRealTimeSender(SampleClips.unrelated, to: "udp://127.0.0.1:\(ports[1])?pkt_size=1316", seconds: 400))
                senders.append(try startRealTimeSender(SampleClips.unrelated, to: "udp://127.0.0.1:\(ports[2])?pkt_size=1316", seconds: 400))

                // 1. Every stream held by exactly one node (the lease table's node column) within 15 s,
                //    and the fleet balanced.
                try await waitUntil(timeout: .seconds(15)) {
                    guard let listed = await nodes[0].streams(), listed.count == 30 else { return false }
                    let counts = Dictionary(grouping: listed.values.compactMap(\.node), by: { $0 }).mapValues(\.count)
                    return listed.values.allSatisfy { $0.node != nil } && counts.count == 3
                        && counts.values.max()! - counts.values.min()! <= 2
                }
                print("fleet: 30 streams assigned over 3 nodes in \(ContinuousClock.now - started)")

                // 2. The known stream alerts once; kill -9 of its node moves its streams within 15 s.
                let first = await receiver.waitFor(count: 1, timeout: .seconds(30))
                try #require(first.count == 1, "no alert for the known stream")
                let holderID = try #require(await nodes[0].streams()?["known"]?.node)
                let holder = try #require(nodes.first { $0.id == holderID })
                let survivors = nodes.filter { $0.id != holderID }
                let killed = ContinuousClock.now
                holder.process?.kill9()
                try await waitUntil(timeout: .seconds(20)) {
                    guard let listed = await survivors[0].streams(), listed.count == 30,
                          listed.values.allSatisfy({ $0.node != nil && $0.node != holderID }) else { return false }
                    // The known stream is read again: its new node reports it live.
                    let newHolder = survivors.first { $0.id == listed["known"]?.node }
                    return await newHolder?.streams()?["known"]?.state == "live"
                }
                let failover = ContinuousClock.now - killed
                print("fleet: kill -9 to every stream live on the survivors: \(failover)")
                #expect(failover < .seconds(15), "lease TTL \(Self.leaseTTL) s")
                // The new reader matches the known stream again; the fleet raised its incident already.
                try await Task.sleep(for: .seconds(10))
                var alertIDs = Set(try receiver.received.map { try AlertCoding.decode($0.body).id })
                #expect(alertIDs.count == 1, "one incident, one alert: \(alertIDs)")
                #expect(try receiver.received.allSatisfy { try AlertCoding.decode($0.body).stream == "known" })

                // 3. The killed node comes back; a stream added through one node is watched within
                //    5 s, and deleted through another stops within 5 s.
                try holder.start()
                let extraPort = ports[30]
                let added = try await API.call(.POST, survivors[0].base + "/v1/streams", token: Self.token,
                                               body: Data(#"{"id": "added", "url": "udp://127.0.0.1:\#(extraPort)"}"#.utf8),
                                               headers: [("Content-Type", "application/json")])
                #expect(added.status == 201, "\(added.text)")
                let addedAt = ContinuousClock.now
                try await waitUntil(timeout: .seconds(5)) {
                    guard let holder = await survivors[1].streams()?["added"]?.node else { return false }
                    return await nodes.first { $0.id == holder }?.streams()?["added"]?.state != nil
                }
                print("fleet: API-added stream read after \(ContinuousClock.now - addedAt)")
                let deleted = try await API.call(.DELETE, survivors[1].base + "/v1/streams/added", token: Self.token)
                #expect(deleted.status == 204, "\(deleted.text)")
                try await waitUntil(timeout: .seconds(5)) {
                    for node in nodes {
                        guard let listed = await node.streams() else { return false }
                        if listed["added"] != nil { return false }
                    }
                    return true
                }

                // 4. PostgreSQL stopped for 30 s: every node carries on reading its streams.
                let before = try #require(await survivors[0].streams())
                try await server.halt()
                try await Task.sleep(for: .seconds(30))
                for node in nodes {
                    let local = await node.streams()
                    #expect(node.process?.process.isRunning == true, "\(node.id) exited during the outage")
                    #expect(local != nil, "\(node.id) answers for its own streams during the outage")
                }
                let knownReader = try #require(before["known"]?.node)
                #expect(await nodes.first { $0.id == knownReader }?.streams()?["known"]?.state == "live")
                try await server.resume()
                try await waitUntil(timeout: .seconds(15)) {
                    guard let listed = await nodes[0].streams(), listed.count == 30 else { return false }
                    return listed.values.allSatisfy { $0.node != nil }
                }
                let after = try #require(await nodes[0].streams())
                let moved = before.keys.filter { before[$0]?.node != after[$0]?.node }
                // A node whose connection pool is still backing off when a lease TTL has passed
                // since the database returned is treated as dead: its streams move, still read.
                print("fleet: after the database's 30 s outage, \(moved.count) of 30 streams changed node")
                for node in nodes { #expect(node.process?.process.isRunning == true, "\(node.id) carried on") }
                alertIDs = Set(try receiver.received.map { try AlertCoding.decode($0.body).id })
                #expect(alertIDs.count == 1, "nothing duplicated across the outage: \(alertIDs)")

                // 5. Rolling restart, one node at a time: no stream without a live lease for more
                //    than 5 s (watched from a node not restarting).
                var longestGap: Duration = .zero
                for (index, node) in nodes.enumerated() {
                    let observer = nodes[(index + 1) % nodes.count]
                    let stopping = Task { await node.process?.terminate(timeout: 15) }
                    var unheldSince: [String: ContinuousClock.Instant] = [:]
                    let deadline = ContinuousClock.now + .seconds(20)
                    var restarted = false
                    while ContinuousClock.now < deadline {
                        if !restarted, node.process?.process.isRunning == false {
                            try node.start()
                            restarted = true
                        }
                        if let listed = await observer.streams() {
                            let now = ContinuousClock.now
                            for (id, entry) in listed {
                                if entry.node == nil {
                                    let since = unheldSince[id] ?? now
                                    unheldSince[id] = since
                                    longestGap = max(longestGap, now - since)
                                } else {
                                    unheldSince[id] = nil
                                }
                            }
                            if restarted, unheldSince.isEmpty, listed.values.contains(where: { $0.node == node.id }) { break }
                        }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(await stopping.value == 0, "\(node.id) drained and exited cleanly")
                    #expect(restarted)
                }
                print("fleet: rolling restart, longest time a stream had no node: \(longestGap)")
                #expect(longestGap <= .seconds(5))
                alertIDs = Set(try receiver.received.map { try AlertCoding.decode($0.body).id })
                #expect(alertIDs.count == 1, "nothing duplicated by the rolling restart: \(alertIDs)")
            } catch {
                Issue.record("\(error)\n\(FleetNode.logs(nodes))")
            }
            await FleetNode.stopAll(nodes)
            await receiver.stop()
            await server.stop()
        }
    }
}
