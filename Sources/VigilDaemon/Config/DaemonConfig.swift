import Foundation
import VigilAlerts

/// Everything `vigil serve` is configured with (see README.md and `Samples/vigil.yml`).
public struct DaemonConfig: Sendable, Equatable {
    /// Where the HTTP API listens; loopback unless the config says otherwise.
    public var listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 8089)
    /// The bearer tokens the API accepts (every route but `/healthz` requires one): `api_token`
    /// as an admin token, then `api_tokens` with their scopes.
    public var apiTokens: [APIToken]
    /// Folder for the state database (outbox, API-added streams and banks).
    public var stateDirectory: String = "./vigil-state"
    /// Banks defined in the config.
    public var banks: [BankSpec] = []
    /// Streams defined in the config.
    public var streams: [StreamSpec] = []
    /// Media servers whose published streams are watched while they publish.
    public var discovery: [DiscoverySpec] = []
    /// Alert policy and sinks.
    public var alerts = AlertsConfig()
    /// HTTP API limits and permissions.
    public var api = APIConfig()
    /// The shared hashing pool.
    public var hashing = HashingConfig()
    /// Log format and level.
    public var log = LogConfig()
    /// How often bank files are checked for changes, in seconds (0 disables the check).
    public var bankPollInterval: Double = 2
    /// Longest a SIGTERM/SIGINT drain may take before the daemon exits anyway, in seconds.
    public var shutdownTimeout: Double = 10
    /// The fleet this node belongs to; nil for a single node keeping everything in SQLite.
    public var cluster: ClusterConfig?
    /// Which hosts streams added over the API may reach.
    public var egress = EgressPolicy()
    /// Resource budgets.
    public var limits = LimitsConfig()
    /// Where live streams are read: child processes by default.
    public var ingest = IngestConfig()
    /// On-demand scan jobs.
    public var scans = ScansConfig()

    /// Creates a config with defaults around one admin token.
    public init(apiToken: String) {
        apiTokens = [APIToken(token: apiToken, scope: .admin)]
    }

    /// Creates a config with defaults around scoped tokens.
    public init(apiTokens: [APIToken]) {
        self.apiTokens = apiTokens
    }

    /// The state database's path.
    public var databasePath: String {
        URL(fileURLWithPath: stateDirectory).appendingPathComponent("vigil.sqlite").path
    }

    /// The single node's alert spool (``FileAlertSpool``) under `state_dir`.
    public var spoolPath: String {
        URL(fileURLWithPath: stateDirectory).appendingPathComponent("alert-spool").path
    }
}

/// A host and port to listen on.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port; 0 picks a free one (tests).
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Whether the address only accepts local connections.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Alert policy and delivery.
public struct AlertsConfig: Sendable, Equatable {
    /// Webhook receivers.
    public var webhooks: [WebhookSpec] = []
    /// JSONL file to append alerts to.
    public var jsonl: String?
    /// Whether alerts are also written to standard output.
    public var stdout = false
    /// Incident window: further matches within it update the incident instead of raising alerts.
    public var window: Double = 60
    /// Seconds a live stream may go without a sample while its source answers (with pictures
    /// over the limits, a codec Vigil refuses...) before a stream-health alert is raised.
    public var unwatchableAfter: Double = 30
    /// Age after which an undeliverable alert is dead-lettered, in seconds.
    public var deadLetterAfter: Double = 86_400
    /// Backoff between delivery tries.
    public var retry = RetryPolicy()
    /// Seconds a delivered alert stays in the outbox (and `GET /v1/alerts`) before it is pruned;
    /// 0 keeps alerts for ever. Alerts with a pending or dead delivery are never pruned.
    public var retention: Double = 30 * 86_400

    /// Creates the default: no sink but the ones added.
    public init() {}
}

/// One webhook receiver.
public struct WebhookSpec: Sendable, Equatable {
    /// The sink's name: deliveries are recorded under it, so keep it stable.
    public var name: String
    /// `http://` or `https://` endpoint.
    public var url: String
    /// HMAC-SHA256 key.
    public var secret: String
    /// Longest a request may take, in seconds.
    public var timeout: Double = 10

    /// Creates a spec.
    public init(name: String, url: String, secret: String, timeout: Double = 10) {
        self.name = name
        self.url = url
        self.secret = secret
        self.timeout = timeout
    }
}

/// HTTP API limits and permissions.
public struct APIConfig: Sendable, Equatable {
    /// Largest accepted request body.
    public var maxBodyBytes = 64 * 1024
    /// Whether API-added streams may read local files.
    public var allowFileSources = false
    /// Folders under which API-added banks may read files; none means banks cannot be added over
    /// the API (a bank path from a client would let it make the daemon read any file).
    public var bankRoots: [String] = []
    /// TLS for the API listener; nil serves plain HTTP (fine on loopback or behind a proxy).
    public var tls: TLSFiles?

    /// Creates the defaults.
    public init() {}
}

/// The shared hashing pool.
public struct HashingConfig: Sendable, Equatable {
    /// Frames hashed at once; defaults to the number of cores.
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Frames a stream may have waiting; past it the oldest is dropped (live: freshest wins).
    public var queuePerStream = 2
    /// Frames waiting across all streams; bounds memory whatever the number of streams.
    public var maxQueued = 64

    /// Creates the defaults.
    public init() {}
}

/// Logging.
public struct LogConfig: Sendable, Equatable {
    /// `text` or `json` (one object a line).
    public var format: Format = .text
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical`.
    public var level: String = "info"

    /// Log line formats.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case text, json
    }

    /// Creates the defaults.
    public init() {}
}
