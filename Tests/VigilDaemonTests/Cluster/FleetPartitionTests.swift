import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

extension FleetProcesses {
    /// A node cut from the fleet's database (through a TCP proxy the test severs) while its known
    /// stream matches: it keeps watching, spools the alert, and merges it when the link returns.
    @Suite("Fleet: a node cut from the database for 60 s", .serialized)
    struct FleetPartitionTests {
        @Test("no stream unwatched during the cut; the alert delivered exactly once after the link returns",
              .timeLimit(.minutes(4)))
        func partition() async throws {
            let directory = try Fixtures.temporaryDirectory()
            let server = try await PostgresServer.start()
            let proxy = try TCPProxy(upstreamPort: server.port)
            let receiver = WebhookReceiver()
            try await receiver.start()
            var senders: [Process] = []
            var nodes: [FleetNode] = []
            defer {
                for sender in senders { stopRealTimeSender(sender) }
                for node in nodes { node.process?.kill9() }
                proxy.stop()
            }
            do {
                let bank = try await SampleClips.knownBank(in: directory)
                let ports = try (0..<4).map { _ in try freeLoopbackPort(udp: true) }
                let config = directory.appendingPathComponent("vigil.yml").path
                try """
                    listen: 127.0.0.1:${PORT}
                    api_token: \(FleetNode.token)
                    state_dir: ${STATE}
                    log: {format: json, level: info}
                    cluster: {database: "${DB}", node_id: "${NODE}", lease_ttl: 5s}
                    banks:
                      - {name: known, path: \(bank)}
                    streams:
                      - {id: known, url: "udp://127.0.0.1:\(ports[0])"}
                      - {id: unrelated, url: "udp://127.0.0.1:\(ports[1])"}
                      - {id: idle-1, url: "udp://127.0.0.1:\(ports[2])"}
                      - {id: idle-2, url: "udp://127.0.0.1:\(ports[3])"}
                    alerts:
                      retry: {initial: 100ms, max: 500ms}
                      webhooks:
                        - {name: hook, url: "\(receiver.url)", secret: partition-secret, timeout: 2s}
                    """.write(toFile: config, atomically: true, encoding: .utf8)
                let direct = "\(server.url)?sslmode=disable"
                let proxied = "postgres://\(PostgresServer.user)@127.0.0.1:\(proxy.port)/\(PostgresServer.database)?sslmode=disable"
                // The cut node starts alone, so it holds every stream, the known one included.
                let cut = try FleetNode(id: "node-cut", directory: directory, config: config, environment: ["DB": proxied])
                nodes.append(cut)
                try cut.start()
                try await waitUntil(timeout: .seconds(15)) {
                    guard let listed = await cut.streams(), listed.count == 4 else { return false }
                    return listed.values.allSatisfy { $0.node == "node-cut" }
                }
                let other = try FleetNode(id: "node-other", directory: directory, config: config, environment: ["DB": direct])
                nodes.append(other)

                // The link goes; only then does the known clip start playing.
                proxy.sever()
                try other.start()
                senders.append(try startRealTimeSender(SampleClips.known, to: "udp://127.0.0.1:\(ports[0])?pkt_size=1316", seconds: 200))
                senders.append(try startRealTimeSender(SampleClips.unrelated, to: "udp://127.0.0.1:\(ports[1])?pkt_size=1316", seconds: 200))
                let cutAt = ContinuousClock.now
                var (checks, liveChecks) = (0, 0)
                try await Task.sleep(for: .seconds(10))
                while ContinuousClock.now - cutAt < .seconds(60) {
                    // The cut node answers for its own streams, and keeps reading the known one.
                    checks += 1
                    if let listed = await cut.streams(), listed["known"]?.state == "live" { liveChecks += 1 }
                    try await Task.sleep(for: .seconds(5))
                }
                #expect(checks >= 8 && liveChecks == checks, "the known stream was live on the cut node at \(liveChecks) of \(checks) checks")
                #expect(receiver.received.isEmpty, "no alert while the fleet cannot say whether its incident was raised")
                let log = cut.logText
                #expect(log.contains("alert spooled"), "the cut node spooled its alert")

                proxy.restore()
                let delivered = await receiver.waitFor(count: 1, timeout: .seconds(30))
                #expect(delivered.count == 1)
                // The streams settle on the two nodes; the known stream is matched again by whichever
                // node reads it now, still one incident.
                try await Task.sleep(for: .seconds(15))
                let ids = Set(try receiver.received.map { try AlertCoding.decode($0.body).id })
                #expect(ids.count == 1, "exactly one alert: \(ids)")
                #expect(try receiver.received.allSatisfy { try AlertCoding.decode($0.body).stream == "known" })
                let listed = try #require(await other.streams())
                #expect(listed.values.allSatisfy { $0.node != nil }, "\(listed)")
            } catch {
                Issue.record("\(error)\n\(FleetNode.logs(nodes))")
            }
            await FleetNode.stopAll(nodes)
            await receiver.stop()
            await server.stop()
        }
    }
}
