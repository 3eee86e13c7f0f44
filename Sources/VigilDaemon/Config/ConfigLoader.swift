import Foundation
import VigilMatch
import VigilAlerts

/// Reads and validates `vigil.yml`.
///
/// Validation is complete at start: unknown keys, wrong types, out-of-range numbers, unsupported
/// stream URLs, duplicate ids and unset environment variables all fail with a ``ConfigError`` naming
/// the key path and line, before the daemon touches a stream.
public enum ConfigLoader {
    /// Loads the file at `path`, substituting `${ENV}` from `environment`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> DaemonConfig {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            // One byte past the limit tells an oversized file (or an endless device) apart.
            data = try handle.read(upToCount: maxConfigBytes + 1) ?? Data()
        } catch {
            throw ConfigError(file: path, path: "", message: "cannot read the config file: \((error as NSError).localizedDescription)")
        }
        guard data.count <= maxConfigBytes else {
            throw ConfigError(file: path, path: "", message: "the config file is larger than \(maxConfigBytes >> 20) MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, path: "", message: "the config file is not UTF-8")
        }
        return try parse(text, file: path, environment: environment)
    }

    /// `api_token` (an admin token) and `api_tokens` (`{token, scope}`); at least one token, each
    /// long enough and none twice.
    private static func parseTokens(single: ConfigReader?, scoped: ConfigReader?, file: String?) throws(ConfigError) -> [APIToken] {
        func secret(_ reader: ConfigReader) throws(ConfigError) -> String {
            let token = try reader.nonEmptyString()
            guard token.utf8.count >= APIToken.minimumLength else {
                throw reader.error("must be at least \(APIToken.minimumLength) characters (use a long random value)")
            }
            return token
        }
        var tokens: [APIToken] = []
        if let single { tokens.append(APIToken(token: try secret(single), scope: .admin)) }
        if let scoped {
            for item in try scoped.sequence() {
                let keys = try item.mapping(allowed: ["token", "scope"])
                guard let tokenReader = keys["token"] else { throw item.error("token is required") }
                guard let scopeReader = keys["scope"] else { throw item.error("scope is required (read or admin)") }
                let token = try secret(tokenReader)
                let name = try scopeReader.nonEmptyString()
                guard let scope = APIToken.Scope(rawValue: name) else {
                    throw scopeReader.error("must be read or admin, not \(name.debugDescription)")
                }
                // The message names where, never the token itself.
                guard !tokens.contains(where: { $0.token == token }) else { throw tokenReader.error("this token is listed twice") }
                tokens.append(APIToken(token: token, scope: scope))
            }
        }
        guard !tokens.isEmpty else {
            throw ConfigError(file: file, line: 1, path: "api_token", message: "is required (e.g. api_token: ${VIGIL_API_TOKEN}), or api_tokens with scopes")
        }
        return tokens
    }

    private static func parseScans(_ scans: ConfigReader) throws(ConfigError) -> ScansConfig {
        let keys = try scans.mapping(allowed: ["concurrency", "queue", "max_bytes", "max_duration", "file_roots", "timeout", "retention"])
        var config = ScansConfig()
        if let concurrency = keys["concurrency"] { config.concurrency = try concurrency.int(in: 1...256) }
        if let queue = keys["queue"] { config.queue = try queue.int(in: 1...1_000_000) }
        if let bytes = keys["max_bytes"] { config.maxBytes = Int64(try bytes.bytes(in: 1...(1 << 50))) }
        if let duration = keys["max_duration"] { config.maxDuration = try duration.seconds(in: 1...(7 * 86_400)) }
        if let roots = keys["file_roots"] {
            config.fileRoots = try roots.sequence().map { root throws(ConfigError) in
                let path = try root.nonEmptyString()
                guard path.hasPrefix("/") else { throw root.error("must be an absolute path") }
                return path
            }
        }
        if let timeout = keys["timeout"] { config.timeout = try timeout.seconds(in: 1...(7 * 86_400)) }
        if let retention = keys["retention"] { config.retention = try retention.seconds(in: 60...(3650 * 86_400)) }
        return config
    }

    /// The largest config accepted: far above any real one, far below what could exhaust memory.
    public static let maxConfigBytes = 1 << 20

    /// Parses config text; `file` only names it in errors.
    public static func parse(_ text: String, file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> DaemonConfig {
        guard text.utf8.count <= maxConfigBytes else {
            throw ConfigError(file: file, path: "", message: "the config is larger than \(maxConfigBytes >> 20) MiB")
        }
        let root = ConfigReader(
            value: try ConfigValue.parse(text, file: file), path: "", file: file,
            substitution: EnvironmentSubstitution(environment: environment))
        let keys = try root.mapping(allowed: [
            "listen", "api_token", "api_tokens", "state_dir", "banks", "streams", "alerts", "api", "hashing", "log",
            "bank_poll_interval", "shutdown_timeout", "cluster", "egress", "limits", "ingest", "discovery",
            "scans",
        ])
        var config = DaemonConfig(apiTokens: try parseTokens(single: keys["api_token"], scoped: keys["api_tokens"], file: file))
        if let listen = keys["listen"] { config.listen = try parseListen(listen) }
        if let state = keys["state_dir"] { config.stateDirectory = try state.nonEmptyString() }
        if let interval = keys["bank_poll_interval"] { config.bankPollInterval = try interval.seconds(in: 0...3600) }
        if let timeout = keys["shutdown_timeout"] { config.shutdownTimeout = try timeout.seconds(in: 0.1...600) }
        if let api = keys["api"] { config.api = try parseAPI(api) }
        if let hashing = keys["hashing"] { config.hashing = try parseHashing(hashing) }
        if let log = keys["log"] { config.log = try parseLog(log) }
        if let alerts = keys["alerts"] { config.alerts = try parseAlerts(alerts) }
        if let cluster = keys["cluster"], !cluster.isNull { config.cluster = try parseCluster(cluster) }
        if let egress = keys["egress"] { config.egress = try parseEgress(egress) }
        if let limits = keys["limits"] {
            let limitKeys = try limits.mapping(allowed: ["max_streams", "memory", "concurrent_opens"])
            if let max = limitKeys["max_streams"] { config.limits.maxStreams = try max.int(in: 1...100_000) }
            if let memory = limitKeys["memory"] { config.limits.memoryBytes = try memory.bytes(in: (64 << 20)...(1 << 50)) }
            if let opens = limitKeys["concurrent_opens"] { config.limits.concurrentOpens = try opens.int(in: 1...10_000) }
        }
        if let scans = keys["scans"] { config.scans = try parseScans(scans) }
        if let ingest = keys["ingest"] {
            let ingestKeys = try ingest.mapping(allowed: ["isolation", "memory_per_process", "executable"])
            if let isolation = ingestKeys["isolation"] {
                switch try isolation.string() {
                case "process": config.ingest.isolation = true
                case "none": config.ingest.isolation = false
                case let other: throw isolation.error("must be process or none, not \(other.debugDescription)")
                }
            }
            if let memory = ingestKeys["memory_per_process"] { config.ingest.memoryPerProcess = try memory.bytes(in: (256 << 20)...(1 << 44)) }
            if let executable = ingestKeys["executable"] { config.ingest.executable = try executable.nonEmptyString() }
        }
        if let banks = keys["banks"] {
            for item in try banks.sequence() {
                let bank = try parseBank(item, origin: .config)
                if config.banks.contains(where: { $0.name == bank.name }) {
                    throw item.error("bank name \(bank.name.debugDescription) is used twice")
                }
                config.banks.append(bank)
            }
        }
        if let streams = keys["streams"] {
            for item in try streams.sequence() {
                let stream = try parseStream(item, allowFiles: true, origin: .config)
                if config.streams.contains(where: { $0.id == stream.id }) {
                    throw item.error("stream id \(stream.id.debugDescription) is used twice")
                }
                config.streams.append(stream)
            }
        }
        if let discovery = keys["discovery"] {
            for item in try discovery.sequence() {
                let source = try parseDiscovery(item)
                if config.discovery.contains(where: { $0.name == source.name }) {
                    throw item.error("discovery name \(source.name.debugDescription) is used twice")
                }
                config.discovery.append(source)
            }
        }
        try checkBudgets(config, keys: keys, root: root)
        return config
    }

    /// Reads a `discovery` entry: the server, its statistics URL and the URL streams are read from.
    static func parseDiscovery(_ reader: ConfigReader) throws(ConfigError) -> DiscoverySpec {
        let keys = try reader.mapping(allowed: ["name", "kind", "url", "play_url", "interval"])
        guard let nameReader = keys["name"] else { throw reader.error("name is required") }
        let name = try nameReader.nonEmptyString()
        guard StreamURLPolicy.isValidIdentifier(name) else {
            throw nameReader.error("must be letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)")
        }
        guard let kindReader = keys["kind"] else { throw reader.error("kind is required (nginx-rtmp, mediamtx or srs)") }
        let kindText = try kindReader.string()
        guard let kind = DiscoverySpec.Kind(rawValue: kindText) else {
            throw kindReader.error("must be nginx-rtmp, mediamtx or srs, not \(kindText.debugDescription)")
        }
        guard let urlReader = keys["url"] else { throw reader.error("url is required (the server's statistics or API address)") }
        let url = try urlReader.nonEmptyString()
        guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
              components.host?.isEmpty == false
        else { throw urlReader.error("must be an http:// or https:// URL") }
        guard let playReader = keys["play_url"] else { throw reader.error("play_url is required, e.g. rtmp://127.0.0.1/{app}/{name}") }
        let play = try playReader.nonEmptyString()
        guard play.contains("{name}") else { throw playReader.error("must contain {name}, where the stream's name goes") }
        var rest = play
        for placeholder in DiscoverySpec.placeholders { rest = rest.replacingOccurrences(of: placeholder, with: "x") }
        if rest.contains("{") || rest.contains("}") {
            throw playReader.error("only {app} and {name} can be put in")
        }
        if let problem = StreamURLPolicy.problem(with: rest, allowFiles: false) { throw playReader.error(problem) }
        var spec = DiscoverySpec(name: name, kind: kind, url: url, playURL: play)
        if let interval = keys["interval"] { spec.interval = try interval.seconds(in: 0.2...3600) }
        return spec
    }

    /// The streams a node reads stay within `limits.max_streams`: a single node's config streams,
    /// a fleet node's `cluster.max_streams`.
    private static func checkBudgets(_ config: DaemonConfig, keys: [String: ConfigReader], root: ConfigReader) throws(ConfigError) {
        let limit = config.limits.maxStreams
        if let cluster = config.cluster {
            guard cluster.maxStreams <= limit else {
                throw (keys["cluster"] ?? root).error(
                    "max_streams (\(cluster.maxStreams)) is over limits.max_streams (\(limit)); raise limits.max_streams or lower it")
            }
            return
        }
        guard config.streams.count <= limit else {
            throw (keys["streams"] ?? root).error(
                "\(config.streams.count) streams configured, over limits.max_streams (\(limit)); raise limits.max_streams or remove streams")
        }
    }

    static func parseListen(_ reader: ConfigReader) throws(ConfigError) -> ListenAddress {
        let text = try reader.nonEmptyString()
        guard let colon = text.lastIndex(of: ":") else {
            throw reader.error("expected host:port, e.g. 127.0.0.1:8089")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw reader.error("the host is missing (write 127.0.0.1:PORT to stay on loopback)") }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw reader.error("the port must be a number in 0...65535")
        }
        return ListenAddress(host: host, port: port)
    }

    static func parseCluster(_ reader: ConfigReader) throws(ConfigError) -> ClusterConfig {
        let keys = try reader.mapping(allowed: ["database", "node_id", "lease_ttl", "max_streams"])
        guard let databaseReader = keys["database"] else {
            throw reader.error("database is required (e.g. database: ${VIGIL_DATABASE_URL})")
        }
        let database: ClusterDatabaseURL
        let text = try databaseReader.nonEmptyString()
        do {
            database = try ClusterDatabaseURL(text)
        } catch {
            if case .configuration(let message) = error.reason { throw databaseReader.error(message) }
            throw databaseReader.error(error.description)
        }
        var nodeID = ProcessInfo.processInfo.hostName
        if let node = keys["node_id"] {
            nodeID = try node.nonEmptyString()
        }
        guard nodeID.utf8.count <= 128, nodeID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-:".contains($0)) }) else {
            throw (keys["node_id"] ?? reader).error("node_id must be at most 128 letters, digits, '.', '_', '-' or ':' (got \(nodeID.debugDescription))")
        }
        var cluster = ClusterConfig(database: database, nodeID: nodeID)
        if let ttl = keys["lease_ttl"] { cluster.leaseTTL = try ttl.seconds(in: 1...600) }
        if let max = keys["max_streams"] { cluster.maxStreams = try max.int(in: 0...100_000) }
        return cluster
    }

    static func parseEgress(_ reader: ConfigReader) throws(ConfigError) -> EgressPolicy {
        let keys = try reader.mapping(allowed: ["allow_hosts", "deny_hosts"])
        func rules(_ key: String) throws(ConfigError) -> [HostRule] {
            guard let list = keys[key] else { return [] }
            var rules: [HostRule] = []
            for item in try list.sequence() {
                let text = try item.nonEmptyString()
                guard let rule = HostRule(text) else {
                    throw item.error("\(text.debugDescription) is not a host name, *.domain, IP address or CIDR range (e.g. 10.0.0.0/8)")
                }
                rules.append(rule)
            }
            return rules
        }
        return EgressPolicy(allowHosts: try rules("allow_hosts"), denyHosts: try rules("deny_hosts"))
    }

    static func parseAPI(_ reader: ConfigReader) throws(ConfigError) -> APIConfig {
        let keys = try reader.mapping(allowed: ["max_body_bytes", "allow_file_sources", "bank_roots", "tls"])
        var api = APIConfig()
        if let size = keys["max_body_bytes"] { api.maxBodyBytes = try size.int(in: 1024...(16 << 20)) }
        if let files = keys["allow_file_sources"] { api.allowFileSources = try files.bool() }
        if let roots = keys["bank_roots"] { api.bankRoots = try roots.strings() }
        if let tls = keys["tls"] {
            let files = try tls.mapping(allowed: ["certificate", "key"])
            guard let certificate = files["certificate"] else { throw tls.error("certificate is required (a PEM file)") }
            guard let key = files["key"] else { throw tls.error("key is required (a PEM file)") }
            api.tls = TLSFiles(certificate: try certificate.nonEmptyString(), key: try key.nonEmptyString())
        }
        return api
    }

    static func parseHashing(_ reader: ConfigReader) throws(ConfigError) -> HashingConfig {
        let keys = try reader.mapping(allowed: ["workers", "queue_per_stream", "max_queued"])
        var hashing = HashingConfig()
        if let workers = keys["workers"] { hashing.workers = try workers.int(in: 1...256) }
        if let queue = keys["queue_per_stream"] { hashing.queuePerStream = try queue.int(in: 1...64) }
        if let total = keys["max_queued"] { hashing.maxQueued = try total.int(in: 1...4096) }
        return hashing
    }

    static func parseLog(_ reader: ConfigReader) throws(ConfigError) -> LogConfig {
        let keys = try reader.mapping(allowed: ["format", "level"])
        var log = LogConfig()
        if let format = keys["format"] {
            let text = try format.string()
            guard let value = LogConfig.Format(rawValue: text) else { throw format.error("must be text or json, not \(text.debugDescription)") }
            log.format = value
        }
        if let level = keys["level"] {
            let text = try level.string().lowercased()
            guard LogLevels.parse(text) != nil else {
                throw level.error("must be one of \(LogLevels.names.joined(separator: ", ")), not \(text.debugDescription)")
            }
            log.level = text
        }
        return log
    }

    static func parseAlerts(_ reader: ConfigReader) throws(ConfigError) -> AlertsConfig {
        let keys = try reader.mapping(allowed: ["webhooks", "jsonl", "stdout", "window", "unwatchable_after", "dead_letter_after", "retry", "retention"])
        var alerts = AlertsConfig()
        if let window = keys["window"] { alerts.window = try window.seconds(in: 0...86_400) }
        if let after = keys["unwatchable_after"] { alerts.unwatchableAfter = try after.seconds(in: 1...86_400) }
        if let age = keys["dead_letter_after"] { alerts.deadLetterAfter = try age.seconds(in: 1...(30 * 86_400)) }
        if let retention = keys["retention"] { alerts.retention = try retention.seconds(in: 0...(3650 * 86_400)) }
        if let stdout = keys["stdout"] { alerts.stdout = try stdout.bool() }
        if let jsonl = keys["jsonl"], !jsonl.isNull { alerts.jsonl = try jsonl.nonEmptyString() }
        if let retry = keys["retry"] {
            let retryKeys = try retry.mapping(allowed: ["initial", "max", "multiplier"])
            var policy = RetryPolicy()
            if let initial = retryKeys["initial"] { policy.initial = try initial.seconds(in: 0.001...3600) }
            if let maximum = retryKeys["max"] { policy.maximum = try maximum.seconds(in: 0.001...86_400) }
            if let multiplier = retryKeys["multiplier"] {
                let text = try multiplier.string()
                guard let value = Double(text), value >= 1, value <= 10 else { throw multiplier.error("must be a number in 1...10") }
                policy.multiplier = value
            }
            guard policy.maximum >= policy.initial else { throw retry.error("max must not be below initial") }
            alerts.retry = policy
        }
        if let webhooks = keys["webhooks"] {
            for (index, item) in try webhooks.sequence().enumerated() {
                let hookKeys = try item.mapping(allowed: ["name", "url", "secret", "timeout"])
                guard let urlReader = hookKeys["url"] else { throw item.error("url is required") }
                let url = try urlReader.nonEmptyString()
                guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
                      scheme == "http" || scheme == "https", components.host?.isEmpty == false
                else {
                    throw urlReader.error("must be an http:// or https:// URL with a host, not \(ShownEndpoint(url).description.debugDescription)")
                }
                guard let secretReader = hookKeys["secret"] else {
                    throw item.error("secret is required (e.g. secret: ${VIGIL_WEBHOOK_SECRET})")
                }
                let secret = try secretReader.nonEmptyString()
                let name = try hookKeys["name"].map { reader throws(ConfigError) in try reader.nonEmptyString() } ?? "webhook-\(index + 1)"
                guard StreamURLPolicy.isValidIdentifier(name) else {
                    throw (hookKeys["name"] ?? item).error("name must be letters, digits, '.', '_' or '-' (at most 64)")
                }
                if alerts.webhooks.contains(where: { $0.name == name }) || name == "jsonl" || name == "stdout" {
                    throw (hookKeys["name"] ?? item).error("sink name \(name.debugDescription) is used twice")
                }
                var spec = WebhookSpec(name: name, url: url, secret: secret)
                if let timeout = hookKeys["timeout"] { spec.timeout = try timeout.seconds(in: 0.1...300) }
                alerts.webhooks.append(spec)
            }
        }
        return alerts
    }

    /// Reads a bank entry of the config (or an API body converted to the same shape).
    static func parseBank(_ reader: ConfigReader, origin: StreamSpec.Origin) throws(ConfigError) -> BankSpec {
        let keys = try reader.mapping(allowed: ["name", "path", "paths", "threshold", "min_quality", "role"])
        guard let nameReader = keys["name"] else { throw reader.error("name is required") }
        let name = try nameReader.nonEmptyString()
        guard StreamURLPolicy.isValidIdentifier(name) else {
            throw nameReader.error("must be letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)")
        }
        var paths: [String] = []
        if let path = keys["path"] { paths += try path.strings() }
        if let more = keys["paths"] { paths += try more.strings() }
        guard !paths.isEmpty else { throw reader.error("path is required (a file or folder of hashes)") }
        var bank = BankSpec(name: name, paths: paths, origin: origin)
        if let threshold = keys["threshold"] { bank.threshold = try threshold.int(in: 0...256) }
        if let quality = keys["min_quality"] { bank.minQuality = try quality.int(in: 0...100) }
        if let roleReader = keys["role"] {
            let text = try roleReader.string()
            guard let role = BankRole(rawValue: text) else { throw roleReader.error("must be match or allow, not \(text.debugDescription)") }
            bank.role = role
        }
        return bank
    }

    /// Reads a stream entry of the config (or an API body converted to the same shape).
    static func parseStream(_ reader: ConfigReader, allowFiles: Bool, origin: StreamSpec.Origin) throws(ConfigError) -> StreamSpec {
        let keys = try reader.mapping(allowed: ["id", "url", "sampling", "interval", "max_keyframe_gap", "unwatchable_after"])
        guard let idReader = keys["id"] else { throw reader.error("id is required") }
        let id = try idReader.nonEmptyString()
        guard StreamURLPolicy.isValidIdentifier(id) else {
            throw idReader.error("must be letters, digits, '.', '_' or '-', starting with a letter or digit (at most 64)")
        }
        guard let urlReader = keys["url"] else { throw reader.error("url is required") }
        let url = try urlReader.nonEmptyString()
        if let problem = StreamURLPolicy.problem(with: url, allowFiles: allowFiles) {
            throw urlReader.error(problem)
        }
        var spec = StreamSpec(id: id, url: url, origin: origin)
        let interval = try keys["interval"].map { reader throws(ConfigError) in try reader.seconds(in: 0.01...3600) }
        if let sampling = keys["sampling"] {
            switch try sampling.string() {
            case "keyframes": spec.sampling = .keyframes
            case "every-frame": spec.sampling = .everyFrame
            case "interval": spec.sampling = .interval(seconds: interval ?? 1)
            case let other:
                throw sampling.error("must be keyframes, interval or every-frame, not \(other.debugDescription)")
            }
        }
        if interval != nil, spec.sampling.name != "interval" {
            throw (keys["interval"] ?? reader).error("only applies with sampling: interval")
        }
        if let gap = keys["max_keyframe_gap"] {
            spec.maxKeyframeGap = (try? gap.string()) == "off" ? nil : try gap.seconds(in: 0.1...3600)
        }
        if let after = keys["unwatchable_after"] { spec.unwatchableAfter = try after.seconds(in: 1...86_400) }
        return spec
    }
}
