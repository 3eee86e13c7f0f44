import Foundation
import NIOSSL
import PostgresNIO

/// A libpq-style URL, `postgres://user:password@host:port/database?sslmode=…`, parsed once.
///
/// `sslmode` follows libpq: `disable`, `allow` and `prefer` (TLS when the server offers it,
/// unverified), `require` (TLS, unverified), `verify-ca` (TLS, certificate checked against the
/// system roots or `sslrootcert`), `verify-full` (also the host name). The default is `prefer`,
/// as in libpq.
public struct ClusterDatabaseURL: Sendable, Equatable, CustomStringConvertible {
    /// How TLS is used, libpq's `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The role to connect as.
    public var user: String
    /// Its password, if any; never shown.
    public var password: String?
    /// The server's host.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The database's name.
    public var database: String
    /// TLS use.
    public var sslMode: SSLMode
    /// A PEM file of trusted roots for `verify-ca` and `verify-full` (libpq's `sslrootcert`).
    public var sslRootCertificate: String?

    /// Parses `text`; the error says what is wrong, without repeating a password.
    public init(_ text: String) throws(ClusterError) {
        func refuse(_ reason: String) -> ClusterError {
            ClusterError(database: "cluster.database", reason: .configuration(reason))
        }
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw refuse("expected a URL like postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else { throw refuse("the host is missing") }
        guard let user = components.user, !user.isEmpty else { throw refuse("the user is missing (postgres://USER@host/database)") }
        self.user = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw refuse("the port must be in 1...65535") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? self.user : (path.removingPercentEncoding ?? path)
        sslMode = .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                    throw refuse("sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert":
                sslRootCertificate = item.value
            case "connect_timeout", "application_name":
                continue
            default:
                throw refuse("unknown parameter \(item.name.debugDescription) (known: sslmode, sslrootcert, connect_timeout, application_name)")
            }
        }
    }

    /// The URL without its password, for logs, errors and the API.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)@\(shownHost):\(port)/\(database)"
    }

    /// The client configuration this URL asks for.
    func clientConfiguration() throws(ClusterError) -> PostgresClient.Configuration {
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case .disable:
            tls = .disable
        case .allow, .prefer, .require:
            // libpq's require does not check the certificate either; verify-ca/verify-full do.
            tlsConfiguration.certificateVerification = .none
            tls = sslMode == .require ? .require(tlsConfiguration) : .prefer(tlsConfiguration)
        case .verifyCA, .verifyFull:
            tlsConfiguration.certificateVerification = sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            if let sslRootCertificate {
                tlsConfiguration.trustRoots = .file(sslRootCertificate)
            }
            tls = .require(tlsConfiguration)
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 4
        return configuration
    }
}
