import Foundation
import Testing
@testable import VigilDaemon
import VigilMedia
import VigilTestSupport

@Suite("Config (vigil.yml)")
struct ConfigTests {
    static let environment = ["VIGIL_API_TOKEN": "token-0123456789abcdef", "HOOK_SECRET": "hook-secret"]

    static let full = """
        listen: 127.0.0.1:9099
        api_token: ${VIGIL_API_TOKEN}
        state_dir: /tmp/vigil-state
        log: {format: json, level: debug}
        api_tokens:
          - {token: read-0123456789abcdef, scope: read}
          - {token: admin-0123456789abcdef, scope: admin}
        api: {max_body_bytes: 4096, allow_file_sources: true, bank_roots: [/srv/banks], tls: {certificate: /etc/vigil/cert.pem, key: /etc/vigil/key.pem}}
        hashing: {workers: 3, queue_per_stream: 1, max_queued: 10}
        bank_poll_interval: 500ms
        shutdown_timeout: 5s
        banks:
          - name: known
            path: Samples/banks/known.csv
            threshold: 28
            min_quality: 60
          - name: more
            paths: [a.txt, b.txt]
        streams:
          - id: lobby-cam
            url: rtmp://127.0.0.1/live/lobby
            sampling: keyframes
            max_keyframe_gap: 4s
          - id: hall
            url: http://127.0.0.1:8080/hall/index.m3u8
            sampling: interval
            interval: 2s
          - id: archive
            url: srt://127.0.0.1:9000
            max_keyframe_gap: off
            unwatchable_after: 1m
        alerts:
          window: 2m
          unwatchable_after: 45s
          dead_letter_after: 12h
          retention: 7d
          retry: {initial: 250ms, max: 30s, multiplier: 3}
          webhooks:
            - url: https://tns.example.org/hooks/vigil
              secret: ${HOOK_SECRET}
              timeout: 3s
            - name: backup
              url: http://127.0.0.1:9000/hook
              secret: "${MISSING:-fallback}"
          jsonl: ./vigil-state/alerts.jsonl
          stdout: yes
        """

    @Test("a full config reads into the documented settings")
    func full() throws {
        let config = try ConfigLoader.parse(Self.full, file: "vigil.yml", environment: Self.environment)
        #expect(config.listen == ListenAddress(host: "127.0.0.1", port: 9099))
        #expect(config.listen.isLoopback)
        #expect(config.apiTokens == [
            APIToken(token: "token-0123456789abcdef", scope: .admin), APIToken(token: "read-0123456789abcdef", scope: .read),
            APIToken(token: "admin-0123456789abcdef", scope: .admin),
        ])
        #expect(config.api.tls == TLSFiles(certificate: "/etc/vigil/cert.pem", key: "/etc/vigil/key.pem"))
        #expect(config.databasePath == "/tmp/vigil-state/vigil.sqlite")
        #expect(config.spoolPath == "/tmp/vigil-state/alert-spool")
        #expect(config.alerts.retention == 7 * 86_400)
        #expect(config.log.format == .json && config.log.level == "debug")
        #expect(config.api.maxBodyBytes == 4096 && config.api.allowFileSources && config.api.bankRoots == ["/srv/banks"])
        #expect(config.hashing.workers == 3 && config.hashing.queuePerStream == 1 && config.hashing.maxQueued == 10)
        #expect(config.bankPollInterval == 0.5 && config.shutdownTimeout == 5)
        #expect(config.banks == [
            BankSpec(name: "known", paths: ["Samples/banks/known.csv"], threshold: 28, minQuality: 60),
            BankSpec(name: "more", paths: ["a.txt", "b.txt"]),
        ])
        var archive = StreamSpec(id: "archive", url: "srt://127.0.0.1:9000", maxKeyframeGap: nil)
        archive.unwatchableAfter = 60
        #expect(config.streams == [
            StreamSpec(id: "lobby-cam", url: "rtmp://127.0.0.1/live/lobby", sampling: .keyframes, maxKeyframeGap: 4),
            StreamSpec(id: "hall", url: "http://127.0.0.1:8080/hall/index.m3u8", sampling: .interval(seconds: 2)),
            archive,
        ])
        #expect(config.alerts.unwatchableAfter == 45 && config.streams[0].unwatchableAfter == nil)
        #expect(config.streams[1].maxKeyframeGap == StreamSpec.defaultMaxKeyframeGap)
        #expect(config.alerts.window == 120 && config.alerts.deadLetterAfter == 43_200)
        #expect(config.alerts.retry.initial == 0.25 && config.alerts.retry.maximum == 30 && config.alerts.retry.multiplier == 3)
        #expect(config.alerts.webhooks == [
            WebhookSpec(name: "webhook-1", url: "https://tns.example.org/hooks/vigil", secret: "hook-secret", timeout: 3),
            WebhookSpec(name: "backup", url: "http://127.0.0.1:9000/hook", secret: "fallback"),
        ])
        #expect(config.alerts.jsonl == "./vigil-state/alerts.jsonl" && config.alerts.stdout)
    }

    @Test("API streams stored by the previous version still load, with their sampling", arguments: [
        (#"{"keyframes":{}}"#, SamplingMode.keyframes),
        (#"{"interval":{"seconds":2.5}}"#, SamplingMode.interval(seconds: 2.5)),
        (#"{"everyFrame":{}}"#, SamplingMode.everyFrame),
    ])
    func storedStreamsLoad(_ stored: (json: String, sampling: SamplingMode)) throws {
        // The row format written before sampling became one type shared with the media layer.
        let row = #"{"id":"cam-1","url":"rtmp://127.0.0.1/live/cam","sampling":"# + stored.json + #","maxKeyframeGap":4,"origin":"api"}"#
        let spec = try JSONDecoder().decode(StreamSpec.self, from: Data(row.utf8))
        #expect(spec.sampling == stored.sampling)
        #expect(spec.maxKeyframeGap == 4 && spec.origin == .api)
        let again = try JSONDecoder().decode(StreamSpec.self, from: JSONEncoder().encode(spec))
        #expect(again == spec)
    }

    @Test("defaults: loopback listen, ./vigil-state, no sinks")
    func defaults() throws {
        let config = try ConfigLoader.parse("api_token: 0123456789abcdef0123", environment: [:])
        #expect(config.listen == ListenAddress(host: "127.0.0.1", port: 8089))
        #expect(config.stateDirectory == "./vigil-state")
        #expect(config.banks.isEmpty && config.streams.isEmpty && config.alerts.webhooks.isEmpty)
        #expect(config.alerts.window == 60)
        #expect(config.alerts.unwatchableAfter == 30)
        #expect(config.alerts.retention == 30 * 86_400)
        #expect(config.limits.memoryBytes == Int(ProcessInfo.processInfo.physicalMemory / 2))
        #expect(config.ingest.isolation && config.ingest.memoryPerProcess == 3 << 30 && config.ingest.executable == nil)
        let inProcess = try ConfigLoader.parse(
            "api_token: 0123456789abcdef0123\ningest: {isolation: none, memory_per_process: 1GiB, executable: /opt/vigil}", environment: [:])
        #expect(!inProcess.ingest.isolation && inProcess.ingest.memoryPerProcess == 1 << 30 && inProcess.ingest.childExecutable == "/opt/vigil")
        #expect(config.limits.concurrentOpens == max(8, 4 * ProcessInfo.processInfo.activeProcessorCount))
        let sized = try ConfigLoader.parse("api_token: 0123456789abcdef0123\nlimits: {memory: 3GiB, concurrent_opens: 3}", environment: [:])
        #expect(sized.limits.memoryBytes == 3 << 30)
        #expect(sized.limits.concurrentOpens == 3)
    }

    @Test("errors name the key path, the line and the problem", arguments: [
        ("api_token: ${NOPE}", "vigil.yml:1: api_token: environment variable NOPE is not set"),
        ("api_token: short", "vigil.yml:1: api_token: must be at least 16 characters"),
        ("listen: 127.0.0.1:8089", "api_token: is required"),
        ("api_token: 0123456789abcdef\nlisen: 1.2.3.4:5", "vigil.yml:2: lisen: unknown key (did you mean \"listen\"?)"),
        ("api_token: 0123456789abcdef\nlisten: nowhere", "vigil.yml:2: listen: expected host:port"),
        ("api_token: 0123456789abcdef\nstreams:\n  - {id: a, url: rtmp://h/a}\n  - {id: b, url: rtmp://h/b}\n  - {id: c, url: 'gopher://h/c'}",
         "vigil.yml:5: streams[2].url: unsupported scheme \"gopher\""),
        ("api_token: 0123456789abcdef\nstreams:\n  - {id: a, url: rtmp://h/a}\n  - {id: a, url: rtmp://h/b}", "streams[1]: stream id \"a\" is used twice"),
        ("api_token: 0123456789abcdef\nstreams:\n  - {id: 'bad id', url: rtmp://h/a}", "streams[0].id: must be letters"),
        ("api_token: 0123456789abcdef\nstreams:\n  - {id: a, url: rtmp://h/a, sampling: often}", "streams[0].sampling: must be keyframes, interval or every-frame"),
        ("api_token: 0123456789abcdef\nstreams:\n  - {id: a, url: 'rtmp:///nohost'}", "streams[0].url: is not a valid rtmp URL (no host)"),
        ("api_token: 0123456789abcdef\nbanks:\n  - {name: k, path: k.txt, threshold: 300}", "banks[0].threshold: 300 is outside 0...256"),
        ("api_token: 0123456789abcdef\nbanks:\n  - {name: k}", "banks[0]: path is required"),
        ("api_token: 0123456789abcdef\nalerts:\n  window: forever", "alerts.window: \"forever\" is not a duration"),
        ("api_token: 0123456789abcdef\nalerts:\n  webhooks:\n    - {url: ftp://x/y, secret: s}", "alerts.webhooks[0].url: must be an http:// or https:// URL"),
        ("api_token: 0123456789abcdef\nalerts:\n  webhooks:\n    - {url: https://x/y}", "alerts.webhooks[0]: secret is required"),
        ("api_token: 0123456789abcdef\nalerts: [1, 2]", "alerts: expected a mapping"),
        ("api_token: 0123456789abcdef\nlimits: {memory: lots}", "limits.memory: \"lots\" is not a size"),
        ("api_token: 0123456789abcdef\ningest: {isolation: thread}", "ingest.isolation: must be process or none"),
        ("api_token: 0123456789abcdef\nlimits: {memory: 1MiB}", "limits.memory: 1MiB is outside"),
        ("api_token: 0123456789abcdef\nlimits: {concurrent_opens: 0}", "limits.concurrent_opens: 0 is outside"),
        ("api_token: 0123456789abcdef\nalerts:\n  unwatchable_after: 0s", "alerts.unwatchable_after:"),
        ("api_token: 0123456789abcdef\nstreams:\n  - {id: a, url: rtmp://h/a, unwatchable_after: soon}", "streams[0].unwatchable_after: \"soon\" is not a duration"),
        ("api_token: [unclosed", "invalid YAML"),
        ("api_tokens: [{token: 0123456789abcdef, scope: write}]", "vigil.yml:1: api_tokens[0].scope: must be read or admin, not \"write\""),
        ("api_tokens: [{token: short, scope: read}]", "api_tokens[0].token: must be at least 16 characters"),
        ("api_token: 0123456789abcdef\napi_tokens: [{token: 0123456789abcdef, scope: read}]", "api_tokens[0].token: this token is listed twice"),
        ("api_tokens: []", "api_token: is required"),
        ("api_tokens: [{token: 0123456789abcdef}]", "api_tokens[0]: scope is required"),
        ("api_token: 0123456789abcdef\napi: {tls: {certificate: c.pem}}", "api.tls: key is required"),
        ("api_token: &token 0123456789abcdef\nstreams: []", "vigil.yml:1: api_token: YAML anchors and aliases are not supported in the config (found &token)"),
        ("api_token: 0123456789abcdef\nbanks:\n  - &bank {name: k, path: k.txt}\n  - *bank", "vigil.yml:3: banks[0]: YAML anchors and aliases"),
        ("api_token: 0123456789abcdef\nscans: {concurrency: 0}", "scans.concurrency: 0 is outside"),
        ("api_token: 0123456789abcdef\nscans: {file_roots: [relative/dir]}", "scans.file_roots[0]: must be an absolute path"),
        ("api_token: 0123456789abcdef\nscans: {max_duration: forever}", "scans.max_duration: \"forever\" is not a duration"),
        ("api_token: 0123456789abcdef\nscans: {queu: 5}", "scans.queu: unknown key (did you mean \"queue\"?)"),
        ("api_token: 0123456789abcdef\nalerts:\n  webhooks:\n    - {url: 'ftp://x/token-in-path', secret: s}", "alerts.webhooks[0].url: must be an http:// or https:// URL with a host, not \"ftp://x/***\""),
    ])
    func errors(text: String, expected: String) {
        do {
            _ = try ConfigLoader.parse(text, file: "vigil.yml", environment: [:])
            Issue.record("expected an error containing \(expected)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test("scans: every key reads into its setting")
    func scans() throws {
        let config = try ConfigLoader.parse("""
            api_token: 0123456789abcdef
            scans:
              concurrency: 3
              queue: 12
              max_bytes: 2GiB
              max_duration: 90m
              file_roots: [/srv/uploads, /mnt/vod]
              timeout: 10m
              retention: 2d
            """, environment: [:])
        var expected = ScansConfig()
        expected.concurrency = 3
        expected.queue = 12
        expected.maxBytes = 2 << 30
        expected.maxDuration = 5400
        expected.fileRoots = ["/srv/uploads", "/mnt/vod"]
        expected.timeout = 600
        expected.retention = 2 * 86_400
        #expect(config.scans == expected)
    }

    @Test("a billion-laughs config is refused at its first anchor, before anything expands", .timeLimit(.minutes(1)))
    func billionLaughs() {
        var text = "api_token: 0123456789abcdef\nlol0: &l0 [lol]\n"
        for level in 1...9 {
            text += "lol\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let started = ContinuousClock.now
        #expect {
            _ = try ConfigLoader.parse(text, file: "vigil.yml", environment: [:])
        } throws: { error in
            (error as? ConfigError)?.description.contains("vigil.yml:2: lol0: YAML anchors and aliases are not supported") == true
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test("configs over 1 MiB are refused, from text and from files (an endless device included)")
    func size() throws {
        let large = "api_token: 0123456789abcdef\n# " + String(repeating: "x", count: ConfigLoader.maxConfigBytes) + "\n"
        #expect {
            _ = try ConfigLoader.parse(large, file: "vigil.yml", environment: [:])
        } throws: { error in
            (error as? ConfigError)?.description.contains("larger than 1 MiB") == true
        }
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("vigil.yml")
        try large.write(to: file, atomically: true, encoding: .utf8)
        for path in [file.path, "/dev/zero"] {
            #expect {
                _ = try ConfigLoader.load(path: path, environment: [:])
            } throws: { error in
                (error as? ConfigError)?.description == "\(path): the config file is larger than 1 MiB"
            }
        }
        // Just under the limit still loads.
        let fits = "api_token: 0123456789abcdef\n# " + String(repeating: "x", count: ConfigLoader.maxConfigBytes - 64) + "\n"
        #expect(throws: Never.self) { _ = try ConfigLoader.parse(fits, file: "vigil.yml", environment: [:]) }
    }

    @Test("environment substitution: defaults, $$ escapes, and values never re-parsed as YAML")
    func substitution() throws {
        let substitution = EnvironmentSubstitution(environment: ["A": "x: [1]", "EMPTY": ""])
        #expect(try substitution.apply("${A}") == "x: [1]")
        #expect(try substitution.apply("pre-${EMPTY:-dflt}-post") == "pre-dflt-post")
        #expect(try substitution.apply("cost $$5 and $HOME") == "cost $5 and $HOME")
        #expect(throws: SubstitutionError.self) { try substitution.apply("${A") }
        #expect(throws: SubstitutionError.self) { try substitution.apply("${1BAD}") }
        let config = try ConfigLoader.parse("api_token: ${T}\nstate_dir: ${S}", environment: ["T": "a: b, c: d ########", "S": "[x]"])
        #expect(config.apiTokens.map(\.token) == ["a: b, c: d ########"])
        #expect(config.stateDirectory == "[x]")
    }

    @Test("stream URL policy: files only where allowed, network schemes need a host")
    func urlPolicy() {
        #expect(StreamURLPolicy.problem(with: "rtmp://127.0.0.1/live/x", allowFiles: false) == nil)
        #expect(StreamURLPolicy.problem(with: "https://127.0.0.1/a.m3u8", allowFiles: false) == nil)
        #expect(StreamURLPolicy.problem(with: "file:///etc/passwd", allowFiles: false)?.contains("file://") == true)
        #expect(StreamURLPolicy.problem(with: "/etc/passwd", allowFiles: false)?.contains("local files") == true)
        #expect(StreamURLPolicy.problem(with: "Samples/clip.mp4", allowFiles: true) == nil)
        #expect(StreamURLPolicy.problem(with: "javascript:alert(1)", allowFiles: true)?.contains("unsupported scheme") == true)
        #expect(StreamURLPolicy.problem(with: "http://a b/", allowFiles: true)?.contains("spaces") == true)
        #expect(StreamURLPolicy.problem(with: String(repeating: "a", count: 5000), allowFiles: true)?.contains("longer") == true)
        #expect(DurationText.seconds("250ms") == 0.25)
        #expect(DurationText.seconds("2m") == 120)
        #expect(DurationText.seconds("1.5") == 1.5)
        #expect(DurationText.seconds("-1s") == nil)
    }
}
