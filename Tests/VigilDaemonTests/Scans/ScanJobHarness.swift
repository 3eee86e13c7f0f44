import Foundation
import Testing
import VigilTestSupport

/// What the scan-job suites share: benign clips and edited copies of them, a `vigil serve`
/// config with scans on, the verdicts `vigil scan --json` gives, and the API calls.
struct ScanJobHarness {
    static let token = "scan-jobs-test-token-0123456789"
    /// The sample bank (the known clip's frames one a second, and a still), as the CLI reads it.
    static let bank = Fixtures.root.appendingPathComponent("Samples/banks/known").path

    let directory: URL
    let executable: String

    init() throws {
        directory = try Fixtures.temporaryDirectory()
        executable = try VigilExecutable.path()
    }

    /// The clips: the two samples and edited copies of each (shrunk, letterboxed, re-encoded
    /// hard), by name; the known clip's copies are the "known material" of these tests.
    func clips() async throws -> [(name: String, path: String, known: Bool)] {
        let media = directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        var clips: [(String, String, Bool)] = []
        for (base, source, known) in [("known", SampleClips.known, true), ("unrelated", SampleClips.unrelated, false)] {
            let original = media.appendingPathComponent("\(base).mp4").path
            try FileManager.default.copyItem(atPath: source, toPath: original)
            clips.append(("\(base).mp4", original, known))
            let edits: [(String, [String])] = [
                ("small", ["-vf", "scale=320:-2"]),
                ("letterbox", ["-vf", "pad=iw:ih*4/3:0:(oh-ih)/2:black"]),
                ("crf40", ["-crf", "40"]),
            ]
            for (edit, filter) in edits {
                let path = media.appendingPathComponent("\(base)-\(edit).mp4").path
                try await SyntheticMedia.ffmpeg(["-i", original] + filter + ["-c:v", "libx264", "-g", "48", "-an", path])
                clips.append(("\(base)-\(edit).mp4", path, known))
            }
        }
        return clips
    }

    /// A long copy of the known clip (looped `times` times), for a job that runs a while.
    func longClip(times: Int) async throws -> String {
        let media = directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        let path = media.appendingPathComponent("known-long.mp4").path
        try await SyntheticMedia.ffmpeg(["-stream_loop", String(times - 1), "-i", SampleClips.known, "-c", "copy", path])
        return path
    }

    /// Writes the daemon's config: the sample bank, scans reading under `media/` (with `scans`,
    /// further `key: value` settings), loopback HTTP allowed, and `extra` appended (streams).
    func writeConfig(apiPort: Int, concurrency: Int, scans: [String] = [], extra: String = "") throws -> String {
        let config = directory.appendingPathComponent("vigil.yml").path
        try """
            listen: 127.0.0.1:\(apiPort)
            api_token: \(Self.token)
            state_dir: \(directory.appendingPathComponent("state").path)
            log: {format: json, level: info}
            banks:
              - {name: known, path: \(Self.bank), threshold: 31, min_quality: 50}
            scans:
              concurrency: \(concurrency)
            \(scans.map { "  \($0)\n" }.joined())  file_roots: [\(directory.appendingPathComponent("media").path)]
            egress:
              allow_hosts: [127.0.0.1]
            \(extra)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// Starts `vigil serve` on `config` (logging to `log` in the folder) and waits until its API
    /// answers on `apiPort`.
    func serve(config: String, apiPort: Int, log: String = "serve.log") async throws -> DaemonProcess {
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent(log))
        try await waitUntil(timeout: .seconds(20)) { (try? await API.call(.GET, "http://127.0.0.1:\(apiPort)/healthz"))?.status == 200 }
        return daemon
    }

    /// The verdict line `vigil scan --json` prints for `path`, as a JSON object.
    func cliVerdict(_ path: String) async throws -> [String: Any] {
        let result = try await runProcess(
            executable, ["scan", "--json", "--bank", Self.bank, "--threshold", "31", "--min-quality", "50", path], timeout: 120)
        let lines = result.stdoutText.split(separator: "\n")
        guard let last = lines.last, let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
              object["type"] as? String == "verdict"
        else { throw SubprocessError(description: "vigil scan printed no verdict for \(path): \(result.stdoutText) \(result.stderrText)") }
        return object
    }

    /// Submits a job; returns the HTTP status and the body.
    func submit(_ base: String, source: String, id: String, callback: [String: Any]? = nil) async throws -> APIResponse {
        var body: [String: Any] = ["source": source, "id": id]
        if let callback { body["callback"] = callback }
        return try await API.call(.POST, base + "/v1/scans", token: Self.token, body: API.json(body))
    }

    /// Every job, newest first.
    func jobs(_ base: String) async throws -> [[String: Any]] {
        try await API.call(.GET, base + "/v1/scans?limit=1000", token: Self.token).json?["scans"] as? [[String: Any]] ?? []
    }

    /// Every alert the outbox holds.
    func alerts(_ base: String) async throws -> [[String: Any]] {
        let page = try await API.call(.GET, base + "/v1/alerts?limit=1000", token: Self.token).json
        return (page?["alerts"] as? [[String: Any]] ?? []).compactMap { $0["alert"] as? [String: Any] }
    }

    /// `object` as JSON text with sorted keys, for comparing verdicts whatever their key order.
    static func canonical(_ object: Any) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
