import Foundation
import Testing
import VigilTestSupport

/// The suites that run fleets of `vigil serve` processes: one at a time (each runs three or
/// more daemons and PostgreSQL on a 2-core machine), in a pass of `make test` of their own.
@Suite("Fleet processes", .serialized)
enum FleetProcesses {}

/// One node of the fleet: its id, API port and process.
final class FleetNode: @unchecked Sendable {
    /// The API token of every node in these tests.
    static let token = "fleet-test-token-0123456789"

    let id: String
    let port: Int
    let directory: URL
    let config: String
    var process: DaemonProcess?
    var restarts = 0

    /// Extra environment for the node's config (e.g. its own database URL).
    let environment: [String: String]

    init(id: String, directory: URL, config: String, environment: [String: String] = [:]) throws {
        self.id = id
        self.environment = environment
        port = try freeLoopbackPort()
        self.directory = directory
        self.config = config
    }

    func start() throws {
        restarts += 1
        process = try DaemonProcess(
            executable: try VigilExecutable.path(), config: config,
            log: directory.appendingPathComponent("\(id)-\(restarts).log"),
            environment: environment.merging(["NODE": id, "PORT": "\(port)", "STATE": directory.appendingPathComponent("state-\(id)").path]) { $1 })
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The fleet's streams as this node lists them: id → (node, state), nil when it does not answer.
    func streams() async -> [String: (node: String?, state: String?)]? {
        guard let response = try? await API.call(.GET, base + "/v1/streams", token: FleetNode.token),
              response.status == 200, let items = response.json?["streams"] as? [[String: Any]]
        else { return nil }
        var streams: [String: (node: String?, state: String?)] = [:]
        for item in items {
            guard let id = item["id"] as? String else { continue }
            streams[id] = (item["node"] as? String, item["state"] as? String)
        }
        return streams
    }

    var logText: String {
        (1...max(1, restarts)).map { (try? String(contentsOf: directory.appendingPathComponent("\(id)-\($0).log"), encoding: .utf8)) ?? "" }
            .joined(separator: "\n")
    }

    /// The last lines of each node's logs, for a failure's report.
    static func logs(_ nodes: [FleetNode]) -> String {
        nodes.map { "--- \($0.id)\n" + String($0.logText.suffix(4000)) }.joined(separator: "\n")
    }

    /// Stops the nodes gracefully (SIGTERM, then SIGKILL past 15 s).
    static func stopAll(_ nodes: [FleetNode]) async {
        for node in nodes { _ = await node.process?.terminate(timeout: 15) }
    }
}
