import Testing
@testable import VigilDaemon

/// The `cluster` section and the database URL: what is read, and hostile or mistaken values refused
/// with an error naming the key, never echoing a password.
@Suite("Cluster config and database URL")
struct ClusterConfigTests {
    static let base = "api_token: 0123456789abcdef\n"

    @Test("a full cluster section reads into the settings; the URL shows no password")
    func full() throws {
        let config = try ConfigLoader.parse(Self.base + """
            cluster:
              database: ${DB}
              node_id: edge-1
              lease_ttl: 4s
              max_streams: 50
            """, environment: ["DB": "postgres://vigil:p%40ss@db.internal:6543/fleet?sslmode=verify-full&sslrootcert=/etc/ca.pem"])
        let cluster = try #require(config.cluster)
        #expect(cluster.nodeID == "edge-1")
        #expect(cluster.leaseTTL == 4)
        #expect(cluster.maxStreams == 50)
        #expect(cluster.roundInterval == 0.4)
        #expect(cluster.database.user == "vigil")
        #expect(cluster.database.password == "p@ss")
        #expect(cluster.database.host == "db.internal")
        #expect(cluster.database.port == 6543)
        #expect(cluster.database.database == "fleet")
        #expect(cluster.database.sslMode == .verifyFull)
        #expect(cluster.database.sslRootCertificate == "/etc/ca.pem")
        #expect(cluster.database.description == "postgres://vigil@db.internal:6543/fleet")
    }

    @Test("defaults: the host name as node id, 10 s leases, 200 streams, sslmode prefer, port 5432")
    func defaults() throws {
        let config = try ConfigLoader.parse(Self.base + "cluster: {database: 'postgres://vigil@db/fleet'}", environment: [:])
        let cluster = try #require(config.cluster)
        #expect(!cluster.nodeID.isEmpty)
        #expect(cluster.leaseTTL == 10 && cluster.maxStreams == 200 && cluster.roundInterval == 1)
        #expect(cluster.database.port == 5432 && cluster.database.sslMode == .prefer)
        #expect(try ConfigLoader.parse(Self.base, environment: [:]).cluster == nil)
    }

    @Test("mistakes are refused naming the key, without the password", arguments: [
        ("cluster: {node_id: a}", "cluster: database is required"),
        ("cluster: {database: 'mysql://u:secretpw@h/db'}", "cluster.database: expected a URL like postgres://"),
        ("cluster: {database: 'postgres://u:secretpw@/db'}", "cluster.database: the host is missing"),
        ("cluster: {database: 'postgres://h/db'}", "cluster.database: the user is missing"),
        ("cluster: {database: 'postgres://u:secretpw@h/db?sslmode=maybe'}", "cluster.database: sslmode must be one of"),
        ("cluster: {database: 'postgres://u:secretpw@h/db?options=-c%20x'}", "cluster.database: unknown parameter \"options\""),
        ("cluster: {database: 'postgres://u@h/db', node_id: 'a b'}", "cluster.node_id: node_id must be"),
        ("cluster: {database: 'postgres://u@h/db', lease_ttl: 0s}", "cluster.lease_ttl:"),
        ("cluster: {database: 'postgres://u@h/db', max_streams: -1}", "cluster.max_streams:"),
        ("cluster: {database: 'postgres://u@h/db', leas_ttl: 3s}", "cluster.leas_ttl: unknown key (did you mean \"lease_ttl\"?)"),
    ])
    func errors(text: String, expected: String) {
        do {
            _ = try ConfigLoader.parse(Self.base + text, file: "vigil.yml", environment: [:])
            Issue.record("expected an error containing \(expected)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("secretpw"), "\(error.description)")
        }
    }
}
