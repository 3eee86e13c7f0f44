import Foundation
import Testing
import VigilTestSupport

/// `packaging/grafana-vigil.json`: every metric a panel (or a template variable) queries must be
/// one a live `vigil serve` exports.
///
/// The exporter lists a metric only once it has a series, so the daemon is made to produce them
/// honestly: it watches the known sample clip against its bank (frames, matches, an alert),
/// delivers to a jsonl sink (delivered) and to a webhook that refuses with 400 (a dead letter).
@Suite("packaging/grafana-vigil.json", .serialized)
struct GrafanaDashboardTests {
    static let dashboard = Fixtures.root.appendingPathComponent("packaging/grafana-vigil.json")

    @Test("metric names come out of PromQL without functions, label matchers, ranges, grouping or strings")
    func extraction() {
        #expect(PromQLNames.metrics(in: #"histogram_quantile(0.95, sum by (le, sink) (rate(vigil_x_bucket{sink=~"$sink", a="b(c)"}[$__rate_interval])))"#)
                == ["vigil_x_bucket"])
        #expect(PromQLNames.metrics(in: #"count(vigil_a{state!="up"} == 1) or vector(0)"#) == ["vigil_a"])
        #expect(PromQLNames.metrics(in: "sum by (bank) (rate(a_sum[5m])) / ignoring(x) sum without (y) (rate(b_count[5m] offset 1h))")
                == ["a_sum", "b_count"])
        #expect(PromQLNames.metrics(in: "label_values(vigil_stream_state, stream)") == ["vigil_stream_state"])
        let exposition = "# TYPE h histogram\nh_bucket{le=\"1\"} 0\n# TYPE c_count counter\nc_count 1\n# TYPE g gauge\n"
        #expect(PromQLNames.isExported("h_bucket", in: exposition))
        #expect(PromQLNames.isExported("h_sum", in: exposition))
        #expect(PromQLNames.isExported("c_count", in: exposition))
        #expect(PromQLNames.isExported("g", in: exposition))
        #expect(!PromQLNames.isExported("g_bucket", in: exposition), "a gauge has no buckets")
        #expect(!PromQLNames.isExported("h", in: exposition), "a histogram has no bare series")
        #expect(!PromQLNames.isExported("missing", in: exposition))
    }

    @Test("the dashboard is importable: a Prometheus datasource variable that every panel and query uses")
    func structure() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any])
        let variables = try #require((json["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        let datasource = try #require(variables.first { $0["type"] as? String == "datasource" })
        #expect(datasource["query"] as? String == "prometheus")
        let reference = "${\(try #require(datasource["name"] as? String))}"
        let panels = Self.panels(in: json)
        #expect(panels.count >= 10)
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == reference, "\(title)")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title) queries nothing")
            for target in targets {
                #expect((target["datasource"] as? [String: Any])?["uid"] as? String == reference, "\(title)")
                #expect(!PromQLNames.metrics(in: target["expr"] as? String ?? "").isEmpty, "\(title): no metric in its expr")
            }
        }
    }

    @Test("every metric the dashboard queries is in a live daemon's /metrics", .timeLimit(.minutes(3)))
    func metricsExist() async throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any])
        var queried = Set<String>()
        for panel in Self.panels(in: json) {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                queried.formUnion(PromQLNames.metrics(in: target["expr"] as? String ?? ""))
            }
        }
        for variable in (json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [] {
            if let query = (variable["query"] as? [String: Any])?["query"] as? String { queried.formUnion(PromQLNames.metrics(in: query)) }
        }
        #expect(queried.count >= 15)

        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let refusing = WebhookReceiver { _ in .badRequest }
        try await refusing.start()
        let port = try freeLoopbackPort()
        // Nothing listens there: a discovery source that is down.
        let mediaServer = try freeLoopbackPort()
        let token = "dashboard-token-0123456789"
        let config = directory.appendingPathComponent("vigil.yml").path
        let samples = Fixtures.root.appendingPathComponent("Samples")
        // The still, a stream of its own, is in the known bank and in an allow-list: silenced.
        try """
            listen: 127.0.0.1:\(port)
            api_token: \(token)
            state_dir: \(directory.path)/state
            banks:
              - {name: known, path: \(samples.appendingPathComponent("banks/known").path)}
              - {name: benign, path: \(samples.appendingPathComponent("banks/known/stills.csv").path), role: allow}
            streams:
              - {id: known, url: \(SampleClips.known)}
              - {id: still, url: \(samples.appendingPathComponent("mandelbrot-still.png").path)}
            discovery:
              - {name: edge, kind: nginx-rtmp, url: "http://127.0.0.1:\(mediaServer)/stat", play_url: "rtmp://127.0.0.1/{app}/{name}", interval: 1s}
            scans:
              file_roots: [\(samples.path)]
            alerts:
              retry: {initial: 100ms, max: 200ms}
              jsonl: \(directory.path)/state/alerts.jsonl
              webhooks:
                - {name: refusing, url: '\(refusing.url)', secret: dashboard-secret-0123456789abcdef}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("log.txt"))
        var exposition = ""
        func missing() -> [String] { queried.filter { !PromQLNames.isExported($0, in: exposition) }.sorted() }
        var submitted = false
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await API.call(.GET, "http://127.0.0.1:\(port)/metrics", token: token), response.status == 200 {
                exposition = response.text
                if missing().isEmpty { break }
                if !submitted {
                    let job = try JSONSerialization.data(withJSONObject: ["source": SampleClips.known])
                    submitted = try await API.call(.POST, "http://127.0.0.1:\(port)/v1/scans", token: token, body: job).status == 202
                }
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(await daemon.terminate(timeout: 30) == 0)
        await refusing.stop()
        #expect(missing().isEmpty, "queried by the dashboard but not exported: \(missing())")
    }

    /// Every panel, rows' nested panels included.
    static func panels(in dashboard: [String: Any]) -> [[String: Any]] {
        (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel -> [[String: Any]] in
            if panel["type"] as? String == "row" { return panel["panels"] as? [[String: Any]] ?? [] }
            return [panel]
        }
    }
}

/// The metric names in a PromQL expression, and whether an exposition has them.
enum PromQLNames {
    /// Keywords and operators that look like names.
    private static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan",
    ]

    /// Names in `expr` that are metrics: not functions (followed by `(`), not keywords, not
    /// inside strings, label matchers, ranges or `by (…)`-style label lists.
    static func metrics(in expr: String) -> [String] {
        var text = expr
        // Strings first: they may hold braces, brackets or parentheses.
        text = text.replacingOccurrences(of: #""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'"#, with: "\"\"", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\{[^}]*\}"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\[[^\]]*\]"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(
            of: #"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#, with: " ", options: .regularExpression)
        // A trailing label argument (label_values(metric, label)) is no metric either.
        text = text.replacingOccurrences(of: #",\s*[A-Za-z_][A-Za-z0-9_]*\s*\)"#, with: ")", options: .regularExpression)
        var names: [String] = []
        let pattern = try! NSRegularExpression(pattern: #"(?<![A-Za-z0-9_:.$])[A-Za-z_:][A-Za-z0-9_:]*(?![A-Za-z0-9_:])(\s*\()?"#)
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard match.range(at: 1).location == NSNotFound, let range = Range(match.range, in: text) else { continue }
            let name = String(text[range])
            if keywords.contains(name) || names.contains(name) { continue }
            names.append(name)
        }
        return names
    }

    /// Whether `name` is exported: its own `# TYPE` line, or a histogram's or summary's
    /// `_bucket`, `_sum` or `_count`.
    static func isExported(_ name: String, in exposition: String) -> Bool {
        let types = Dictionary(exposition.split(separator: "\n").compactMap { line -> (String, String)? in
            let parts = line.split(separator: " ")
            guard parts.count == 4, parts[0] == "#", parts[1] == "TYPE" else { return nil }
            return (String(parts[2]), String(parts[3]))
        }, uniquingKeysWith: { first, _ in first })
        if let type = types[name] { return type != "histogram" && type != "summary" }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" || (types[base] == "summary" && suffix != "_bucket") { return true }
        }
        return false
    }
}
