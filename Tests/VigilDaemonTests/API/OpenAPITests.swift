import Foundation
import NIOHTTP1
import Testing
import VigilAlerts
@testable import VigilDaemon
import VigilTestSupport

/// `docs/openapi.yaml` against the router that serves the API, the alert schema it includes, and
/// a live daemon under schemathesis.
@Suite("OpenAPI document", .serialized)
struct OpenAPITests {
    static let readToken = "read-token-0123456789abcdef"
    /// The routes that need no token.
    static let openPaths: Set<String> = ["/healthz", "/openapi.json"]

    @Test("the binary serves docs/openapi.yaml with docs/alert.schema.json, as they are in the tree")
    func embeddedIsPublished() throws {
        let served = try OpenAPIDocument.built.get()
        #expect(served == (try PublishedDocument.bytes()), "the embedded files are not docs/openapi.yaml and docs/alert.schema.json")
        let document = try PublishedDocument.parsed()
        #expect(document["openapi"] as? String == "3.1.0")
    }

    @Test("every route the router serves is documented, and every documented route is served")
    func routesAreDocumented() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let served = Set(APIRouter.make(core: daemon.daemon.core).routes.map { "\($0.method.rawValue) \($0.path)" })
        let documented = Set(try PublishedDocument.operations().map { "\($0.method.uppercased()) \($0.path)" })
        #expect(served.count >= 17, "\(served.sorted())")
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
    }

    @Test("components/schemas/Alert is docs/alert.schema.json, its references pointing where it lies")
    func alertSchemaIsThePublishedOne() throws {
        let document = try PublishedDocument.parsed()
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let served = try #require(schemas["Alert"] as? [String: Any])
        var published = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: PublishedDocument.alertSchema)) as? [String: Any])
        published["$schema"] = nil
        published["$id"] = nil
        let relocated = try #require(String(data: try Self.canonical(published), encoding: .utf8))
            .replacingOccurrences(of: "\"#/$defs/", with: "\"#/components/schemas/Alert/$defs/")
        #expect(String(data: try Self.canonical(served), encoding: .utf8) == relocated)
        // The kinds' fields, named: a difference here is the one that matters to clients.
        let kinds = { (schema: [String: Any]) in
            (schema["oneOf"] as? [[String: Any]] ?? []).map { Set(($0["properties"] as? [String: Any] ?? [:]).keys) }
        }
        #expect(kinds(served) == kinds(published) && kinds(served).count == 3)
    }

    @Test("every reference resolves; response objects never forbid fields (the alert schema aside, on purpose)")
    func referencesAndOpenResponses() throws {
        let document = try PublishedDocument.parsed()
        var unresolved: [String] = []
        var closed: [String] = []
        func walk(_ value: Any, at pointer: String, inResponse: Bool, seen: Set<String>) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String {
                    guard let target = Self.resolve(reference, in: document) else { return unresolved.append("\(pointer): \(reference)") }
                    // The alert schema forbids other fields so that no image data can ride along.
                    if inResponse, !seen.contains(reference), reference != "#/components/schemas/Alert" {
                        walk(target, at: reference, inResponse: true, seen: seen.union([reference]))
                    }
                }
                if inResponse, object["additionalProperties"] as? Bool == false { closed.append(pointer) }
                for (key, child) in object {
                    walk(child, at: pointer + "/" + key, inResponse: inResponse || key == "responses", seen: seen)
                }
            } else if let items = value as? [Any] {
                for (index, item) in items.enumerated() { walk(item, at: "\(pointer)/\(index)", inResponse: inResponse, seen: seen) }
            }
        }
        walk(document, at: "#", inResponse: false, seen: [])
        #expect(unresolved.isEmpty, "\(unresolved)")
        #expect(closed.isEmpty, "response schemas with additionalProperties: false: \(closed)")
    }

    @Test("GET /openapi.json: the document as JSON, without a token")
    func served() async throws {
        let daemon = try await TestDaemon.start()
        defer { Task { await daemon.stop() } }
        let response = try await API.call(.GET, daemon.base + "/openapi.json", token: nil)
        #expect(response.status == 200)
        #expect(response.contentType == "application/json")
        #expect(response.body == (try PublishedDocument.bytes()))
    }

    @Test("without a token every documented route but the open ones answers 401; a read token gets 403 exactly where admin is documented",
          .timeLimit(.minutes(3)))
    func documentedSecurityHolds() async throws {
        let daemon = try await TestDaemon.start { config in
            config.apiTokens.append(APIToken(token: Self.readToken, scope: .read))
        }
        defer { Task { await daemon.stop() } }
        let document = try PublishedDocument.parsed()
        let operations = try PublishedDocument.operations()
        #expect(operations.count >= 17)
        for (method, path, operation) in operations {
            let url = daemon.base + path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x1", options: .regularExpression)
            let verb = HTTPMethod(rawValue: method.uppercased())
            let body = verb == .POST ? Data("{}".utf8) : nil
            let scopes = Self.scopes(of: operation, in: document)
            if Self.openPaths.contains(path) {
                #expect(scopes == [], "\(method) \(path) is open but documented with \(String(describing: scopes))")
                #expect(try await API.call(verb, url, token: nil).status == 200, "\(method) \(path) without a token")
                continue
            }
            let refused = try await API.call(verb, url, token: nil, body: body)
            #expect(refused.status == 401 && refused.errorMessage != nil, "\(method) \(path) without a token: \(refused.status) \(refused.text)")
            // A valid token starts the failure count over, so the next refusal comes at once.
            let read = try await API.call(verb, url, token: Self.readToken, body: body)
            let needed = verb == .GET ? "read" : "admin"
            #expect(scopes == [needed], "\(method) \(path) is documented with \(String(describing: scopes)), needs \(needed)")
            #expect((read.status == 403) == (needed == "admin"), "\(method) \(path) with a read token: \(read.status) \(read.text)")
        }
    }

    @Test("schemathesis: no 5xx, documented statuses, content types and bodies on every route", .timeLimit(.minutes(4)))
    func schemathesis() async throws {
        let schemathesis = Fixtures.root.appendingPathComponent(".reference-venv/bin/schemathesis").path
        guard FileManager.default.isExecutableFile(atPath: schemathesis) else {
            Issue.record("\(schemathesis) is missing: run `make reference` (make test does), which installs Tests/Oracles/requirements.txt")
            return
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let roots = directory.appendingPathComponent("banks")
        try FileManager.default.createDirectory(at: roots, withIntermediateDirectories: true)
        let scanRoot = directory.appendingPathComponent("uploads")
        try FileManager.default.createDirectory(at: scanRoot, withIntermediateDirectories: true)
        let bankFile = roots.appendingPathComponent("known.txt")
        try (TestHashes.hex(0) + "\n" + TestHashes.hex(1) + "\n").write(to: bankFile, atomically: true, encoding: .utf8)
        let daemon = try await TestDaemon.start(stateDirectory: directory.appendingPathComponent("state")) { config in
            config.api.bankRoots = [roots.path]
            config.scans.fileRoots = [scanRoot.path]
            config.banks = [BankSpec(name: "cfg", paths: [bankFile.path])]
            config.streams = [StreamSpec(id: "cam", url: "rtmp://127.0.0.1:1/live/cam")]
            config.alerts.jsonl = directory.appendingPathComponent("alerts.jsonl").path
        }
        defer { Task { await daemon.stop() } }
        let alerts = try await Self.commitAlerts(to: daemon)

        // Known names and ids half the time, so routes get past their 404s; made-up ones otherwise.
        // No cache: nothing of a run stays behind (schemathesis keeps it under the working folder).
        let configuration = """
            [cache]
            enabled = false
            [dictionaries.alerts]
            values = [\(alerts.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))]
            [dictionaries.names]
            values = ["jsonl", "cfg", "cam"]
            [parameters]
            "path.id" = { dictionary = "alerts", probability = 0.5 }
            "path.name" = { dictionary = "names", probability = 0.5 }
            "query.after" = { dictionary = "alerts", probability = 0.5 }
            """
        let configFile = directory.appendingPathComponent("schemathesis.toml")
        try configuration.write(to: configFile, atomically: true, encoding: .utf8)
        let urlLog = directory.appendingPathComponent("urls.log")
        let junit = directory.appendingPathComponent("junit.xml")
        let hooks = Fixtures.root.appendingPathComponent("Tests/Fixtures/openapi/loopback_hooks.py").path
        var environment = ProcessInfo.processInfo.environment
        environment["SCHEMATHESIS_HOOKS"] = hooks
        environment["VIGIL_OPENAPI_URL_LOG"] = urlLog.path
        environment["VIGIL_OPENAPI_BANK_FILE"] = bankFile.path
        environment["VIGIL_OPENAPI_BANK_ROOT"] = roots.path
        environment["VIGIL_OPENAPI_SCAN_ROOT"] = scanRoot.path
        // No proxy from the environment: every request goes to the daemon on loopback.
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"] { environment[name] = nil }
        environment["NO_PROXY"] = "*"
        let arguments = [
            "--config-file", configFile.path, "run", daemon.base + "/openapi.json", "--url", daemon.base,
            "-H", "Authorization: Bearer \(TestDaemon.token)",
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples", "30", "--seed", "20261204", "--workers", "1", "--generation-database", "none",
            "--request-timeout", "20", "--no-color", "--report", "junit", "--report-junit-path", junit.path,
        ]
        let started = ContinuousClock.now
        let run = try await runProcess(schemathesis, arguments, environment: environment, timeout: 180)
        let output = run.stdoutText + run.stderrText
        #expect(run.status == 0, "schemathesis \(arguments.joined(separator: " ")) failed:\n\(output)")
        print("schemathesis \(arguments.joined(separator: " ")) ran in \(ContinuousClock.now - started):\n\(output)")

        // Every documented operation was tested (the report lists skipped ones too), but the one
        // schemathesis loads the document from, which it leaves out (`served()` tests it).
        let tested = Set(try String(contentsOf: junit, encoding: .utf8).components(separatedBy: "<testcase ").dropFirst().compactMap { entry -> String? in
            guard !entry.contains("<skipped"), let name = entry.split(separator: "\"").dropFirst().first else { return nil }
            return String(name)
        })
        for (method, path, _) in try PublishedDocument.operations() where path != OpenAPIDocument.path {
            #expect(tested.contains("\(method.uppercased()) \(path)"), "\(method.uppercased()) \(path) not exercised: \(tested.sorted())")
        }
        // The hooks ran on the stream bodies sent, and every URL with an authority named 127.0.0.1.
        let sent = try String(contentsOf: urlLog, encoding: .utf8).split(separator: "\n").map { line in
            (try? JSONDecoder().decode(String.self, from: Data(line.utf8))) ?? String(line)
        }
        #expect(sent.count >= 10, "stream URLs sent: \(sent.count)")
        let elsewhere = sent.filter { url in
            guard let host = URLComponents(string: url)?.host, !host.isEmpty else { return false }
            return host != "127.0.0.1"
        }
        #expect(elsewhere.isEmpty, "stream URLs off loopback: \(elsewhere)")
        // Still answering after all that.
        #expect(try await API.call(.GET, daemon.base + "/healthz", token: nil).status == 200)
    }

    /// A match alert and a stream-health alert in the outbox, so alert routes return real alerts.
    private static func commitAlerts(to daemon: TestDaemon) async throws -> [AlertID] {
        let ids = AlertIDGenerator()
        let when = Timestamp.truncated(Date())
        let match = Alert(
            id: ids.next(at: when), stream: "cam", source: "rtmp://127.0.0.1/live/cam", bank: "cfg",
            entry: Alert.Entry(id: "e", label: "a label"), distance: 3, quality: 90,
            frame: Alert.FrameInfo(ptsSeconds: 1.5, keyframe: true, observedAt: when),
            hash: TestHashes.hex(0), firstSeen: when, lastSeen: when, framesMatched: 2)
        let health = StreamHealthAlert(
            id: ids.next(at: when), stream: "cam", source: "rtmp://127.0.0.1/live/cam", state: .unwatchable,
            reason: "unsupported video codec mpeg1video", since: when, raisedAt: when)
        #expect(try await daemon.daemon.core.hub.commit(.match(match)))
        #expect(try await daemon.daemon.core.hub.commit(.streamHealth(health)))
        return [match.id, health.id]
    }

    /// The scopes an operation requires: its own `security`, else the document's; [] when open.
    private static func scopes(of operation: [String: Any], in document: [String: Any]) -> [String]? {
        let requirements = (operation["security"] ?? document["security"]) as? [[String: Any]]
        guard let requirements else { return nil }
        return requirements.first?["bearer"] as? [String] ?? []
    }

    /// The value a local reference (`#/a/b`) points at.
    private static func resolve(_ reference: String, in document: [String: Any]) -> Any? {
        guard reference.hasPrefix("#/") else { return nil }
        var current: Any = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let object = current as? [String: Any], let next = object[key] {
                current = next
            } else if let items = current as? [Any], let index = Int(key), items.indices.contains(index) {
                current = items[index]
            } else {
                return nil
            }
        }
        return current
    }

    private static func canonical(_ value: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}

/// `docs/openapi.yaml` and `docs/alert.schema.json` as they are in the tree, bundled the way the
/// daemon bundles them.
enum PublishedDocument {
    static let yaml = Fixtures.root.appendingPathComponent("docs/openapi.yaml")
    static let alertSchema = Fixtures.root.appendingPathComponent("docs/alert.schema.json")

    static func bytes() throws -> Data {
        try OpenAPIDocument.build(
            yaml: String(contentsOf: yaml, encoding: .utf8),
            files: ["./alert.schema.json": String(contentsOf: alertSchema, encoding: .utf8)])
    }

    static func parsed() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: bytes()) as? [String: Any])
    }

    /// Every documented operation: its method (lowercase, as written), path and object.
    static func operations() throws -> [(method: String, path: String, operation: [String: Any])] {
        let paths = try #require(try parsed()["paths"] as? [String: Any])
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        return paths.keys.sorted().flatMap { path in
            ((paths[path] as? [String: Any]) ?? [:]).filter { methods.contains($0.key) }.sorted { $0.key < $1.key }.compactMap { method, value in
                (value as? [String: Any]).map { (method, path, $0) }
            }
        }
    }
}
