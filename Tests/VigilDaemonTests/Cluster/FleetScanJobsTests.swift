import Foundation
import Testing
import VigilTestSupport

extension FleetProcesses {
    /// Scan jobs in a fleet: two `vigil serve` nodes on one real PostgreSQL take jobs from one
    /// queue, and the jobs of a node killed mid-way are read again by the other.
    @Suite("Fleet: scan jobs on two vigil serve nodes", .serialized)
    struct FleetScanJobsTests {
        @Test("jobs submitted to one node are taken by both; kill -9 of one: its running job is read again by the other, every verdict vigil scan's",
              .timeLimit(.minutes(6)))
        func failover() async throws {
            let harness = try ScanJobHarness()
            defer { harness.remove() }
            let server = try await PostgresServer.start()
            var nodes: [FleetNode] = []
            defer { for node in nodes { node.process?.kill9() } }
            let clips = try await harness.clips()
            let long = try await harness.longClip(times: 8)
            let sources = [long, long] + clips.map(\.path)
            var expected: [String: String] = [:]
            for source in Set(sources) { expected[source] = ScanJobHarness.canonical(try await harness.cliVerdict(source)) }
            let config = harness.directory.appendingPathComponent("fleet.yml").path
            try """
                listen: 127.0.0.1:${PORT}
                api_token: \(FleetNode.token)
                state_dir: ${STATE}
                log: {format: json, level: info}
                cluster:
                  database: "\(server.url)?sslmode=disable"
                  node_id: ${NODE}
                  lease_ttl: 3s
                banks:
                  - {name: known, path: \(ScanJobHarness.bank), threshold: 31, min_quality: 50}
                scans:
                  concurrency: 1
                  file_roots: [\(harness.directory.appendingPathComponent("media").path)]
                """.write(toFile: config, atomically: true, encoding: .utf8)
            nodes = try ["node-a", "node-b"].map { try FleetNode(id: $0, directory: harness.directory, config: config) }
            for node in nodes { try node.start() }
            for node in nodes {
                try await waitUntil(timeout: .seconds(30)) { (try? await API.call(.GET, node.base + "/healthz"))?.status == 200 }
            }
            let (a, b) = (nodes[0], nodes[1])
            for (index, source) in sources.enumerated() {
                let response = try await API.call(
                    .POST, a.base + "/v1/scans", token: FleetNode.token, body: API.json(["source": source, "id": "job-\(index)"]))
                #expect(response.status == 202, "\(response.text)")
            }
            // Both long jobs run at once, one on each node.
            var jobs: [[String: Any]] = []
            try await waitUntil(timeout: .seconds(60)) {
                jobs = try await API.call(.GET, b.base + "/v1/scans?state=running", token: FleetNode.token).json?["scans"] as? [[String: Any]] ?? []
                return Set(jobs.compactMap { $0["node"] as? String }) == ["node-a", "node-b"]
            }
            let onA = try #require(jobs.first { $0["node"] as? String == "node-a" }?["id"] as? String)
            a.process?.kill9()

            // The other node takes the killed node's job once its heartbeat is stale, and the queue.
            try await waitUntil(timeout: .seconds(240)) {
                jobs = try await API.call(.GET, b.base + "/v1/scans?limit=1000", token: FleetNode.token).json?["scans"] as? [[String: Any]] ?? []
                return jobs.count == sources.count && jobs.allSatisfy { $0["state"] as? String == "done" }
            }
            for (index, source) in sources.enumerated() {
                let job = try #require(jobs.first { $0["id"] as? String == "job-\(index)" })
                #expect(ScanJobHarness.canonical(job["verdict"] ?? [:]) == expected[source], "job-\(index)")
            }
            let retried = try #require(jobs.first { $0["id"] as? String == onA })
            #expect(retried["attempts"] as? Int == 2 && retried["node"] as? String == "node-b", "\(retried)")
            #expect(b.logText.contains("scan jobs of stopped nodes requeued"), "\(FleetNode.logs(nodes))")
            await FleetNode.stopAll([b])
        }
    }
}
