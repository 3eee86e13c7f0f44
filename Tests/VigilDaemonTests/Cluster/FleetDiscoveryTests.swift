import Foundation
import Testing
import VigilTestSupport

extension FleetProcesses {
    /// Discovery in a fleet: two `vigil serve` nodes on one PostgreSQL share the polling of a
    /// MediaMTX-shaped source (its documented answer, over real HTTP); the fleet's table holds the
    /// streams once, the lease rounds hand them to nodes, and a stream unpublished leaves the
    /// whole fleet.
    @Suite("Fleet: discovery through the fleet's stream table", .serialized)
    struct FleetDiscoveryTests {
        @Test("published paths are watched once fleet-wide, each by a node; unpublished ones leave; a source down keeps them",
              .timeLimit(.minutes(3)))
        func discovery() async throws {
            let directory = try Fixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let server = try await PostgresServer.start()
            let media = directory.appendingPathComponent("media")
            try DiscoveryTests.publish(DiscoveryResponseTests.fixture("mediamtx-paths.json"), at: "v3/paths/list", in: media)
            let requests = directory.appendingPathComponent("media-requests.log")
            let api = try await StaticFileServer(serving: media, requestLog: requests)
            // The play URLs lead to a port that refuses: the streams are listed, never read.
            let refusing = try RefusingLoopbackPort()
            var nodes: [FleetNode] = []
            defer {
                api.stop()
                for node in nodes { node.process?.kill9() }
            }
            do {
                let config = directory.appendingPathComponent("vigil.yml").path
                try """
                    listen: 127.0.0.1:${PORT}
                    api_token: \(FleetNode.token)
                    state_dir: ${STATE}
                    log: {format: json, level: info}
                    cluster:
                      database: "\(server.url)?sslmode=disable"
                      node_id: ${NODE}
                      lease_ttl: 3s
                    discovery:
                      - name: cams
                        kind: mediamtx
                        url: http://127.0.0.1:\(api.port)
                        play_url: rtsp://127.0.0.1:\(refusing.port)/{name}
                        interval: 500ms
                    """.write(toFile: config, atomically: true, encoding: .utf8)
                nodes = try ["node-a", "node-b"].map { try FleetNode(id: $0, directory: directory, config: config) }
                for node in nodes { try node.start() }

                // Both paths, once each, each held by a node, as either node lists them.
                try await waitUntil(timeout: .seconds(30)) {
                    for node in nodes {
                        guard let streams = await node.streams(), Set(streams.keys) == ["cam1", "floor_2_door"],
                              streams.values.allSatisfy({ $0.node != nil })
                        else { return false }
                    }
                    return true
                }
                let listed = try await API.call(.GET, nodes[0].base + "/v1/streams", token: FleetNode.token)
                let origins = (listed.json?["streams"] as? [[String: Any]] ?? []).compactMap { $0["origin"] as? String }
                #expect(origins == ["discovery:cams", "discovery:cams"])
                #expect(try await API.call(.DELETE, nodes[1].base + "/v1/streams/cam1", token: FleetNode.token).status == 409)

                // The media server is asked about once per interval, not once per node per
                // interval (24 in 6 s here), and both nodes show the source healthy.
                func polls() throws -> Int {
                    try String(contentsOf: requests, encoding: .utf8).components(separatedBy: "\n").count { $0.contains("GET /v3/paths/list") }
                }
                let before = try polls()
                try await Task.sleep(for: .seconds(6))
                let asked = try polls() - before
                #expect(asked >= 10 && asked <= 15, "\(asked) polls in 6 s at a 500 ms interval from two nodes")
                for node in nodes {
                    let sources = try await API.call(.GET, node.base + "/v1/discovery", token: FleetNode.token).json?["sources"] as? [[String: Any]]
                    #expect(sources?.first?["healthy"] as? Bool == true && sources?.first?["streams"] as? Int == 2, "\(node.id): \(sources ?? [])")
                }

                // A path stops being ready: it leaves the fleet.
                var paths = try #require(try JSONSerialization.jsonObject(with: DiscoveryResponseTests.fixture("mediamtx-paths.json")) as? [String: Any])
                var items = try #require(paths["items"] as? [[String: Any]])
                items[0]["ready"] = false
                paths["items"] = items
                try DiscoveryTests.publish(try JSONSerialization.data(withJSONObject: paths), at: "v3/paths/list", in: media)
                try await waitUntil(timeout: .seconds(10)) {
                    for node in nodes {
                        guard let streams = await node.streams(), Set(streams.keys) == ["floor_2_door"] else { return false }
                    }
                    return true
                }

                // The source goes down: both nodes say so; the stream stays.
                api.stop()
                try await waitUntil(timeout: .seconds(10)) {
                    for node in nodes {
                        let sources = try await API.call(.GET, node.base + "/v1/discovery", token: FleetNode.token).json?["sources"] as? [[String: Any]]
                        guard sources?.first?["healthy"] as? Bool == false else { return false }
                    }
                    return true
                }
                #expect(await nodes[0].streams().map { Set($0.keys) } == ["floor_2_door"])
            } catch {
                Issue.record("\(error)\n\(FleetNode.logs(nodes))")
            }
            await FleetNode.stopAll(nodes)
            await server.stop()
            _ = refusing
        }
    }
}
