import Foundation
import Testing
import VigilTestSupport

/// Scan jobs through `vigil serve` itself, the built binary: what a platform submitting uploads sees.
@Suite("Scan jobs with the built binary", .serialized)
struct ScanJobsServeTests {
    @Test("20 jobs at once, files and HTTP URLs: every verdict is vigil scan --json's for the same file; each known one alerts once, with its job",
          .timeLimit(.minutes(6)))
    func twentyJobs() async throws {
        let harness = try ScanJobHarness()
        defer { harness.remove() }
        let clips = try await harness.clips()
        let server = try await NginxFileServer.start(serving: harness.directory.appendingPathComponent("media"), in: harness.directory)
        defer { server.stop() }
        var expected: [String: [String: Any]] = [:]
        for clip in clips { expected[clip.name] = try await harness.cliVerdict(clip.path) }
        #expect(clips.filter(\.known).allSatisfy { expected[$0.name]?["matched"] as? Bool == true },
                "every copy of the known clip matches with vigil scan: \(expected)")
        #expect(clips.filter { !$0.known }.allSatisfy { expected[$0.name]?["matched"] as? Bool == false })

        let apiPort = try freeLoopbackPort()
        let config = try harness.writeConfig(apiPort: apiPort, concurrency: 2)
        let daemon = try await harness.serve(config: config, apiPort: apiPort, log: "serve.log")
        defer { daemon.kill9() }
        let base = "http://127.0.0.1:\(apiPort)"

        // 8 clips as files and over HTTP, and the 4 known ones a second time as files: 20 jobs.
        var submitted: [(id: String, clip: String, known: Bool)] = []
        for (index, clip) in clips.enumerated() {
            submitted.append(("file-\(index)", clip.name, clip.known))
            submitted.append(("http-\(index)", clip.name, clip.known))
        }
        for (index, clip) in clips.enumerated() where clip.known { submitted.append(("again-\(index)", clip.name, true)) }
        #expect(submitted.count == 20)
        try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for job in submitted {
                let path = clips.first { $0.name == job.clip }!.path
                let source = job.id.hasPrefix("http") ? server.url(job.clip) : path
                group.addTask {
                    (job.id, try await harness.submit(base, source: source, id: job.id, callback: ["upload": job.id]).status)
                }
            }
            for try await (id, status) in group { #expect(status == 202, "\(id)") }
        }

        var jobs: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(240)) {
            jobs = try await harness.jobs(base)
            return jobs.count == 20 && jobs.allSatisfy { ["done", "failed"].contains($0["state"] as? String) }
        }
        for job in jobs {
            let id = job["id"] as? String ?? ""
            let clip = try #require(submitted.first { $0.id == id }?.clip)
            #expect(job["state"] as? String == "done", "\(id): \(job["error"] ?? "")")
            var verdict = job["verdict"] as? [String: Any] ?? [:]
            var reference = expected[clip] ?? [:]
            if id.hasPrefix("http") {
                // The same pictures read over HTTP: the verdict names the URL it read.
                #expect(verdict.removeValue(forKey: "input") as? String == server.url(clip))
                reference["input"] = nil
            }
            #expect(ScanJobHarness.canonical(verdict) == ScanJobHarness.canonical(reference), "\(id) (\(clip))")
        }

        // Alerts are committed as the jobs go; give the last a moment, then count.
        var alerts: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(10)) {
            alerts = try await harness.alerts(base)
            return alerts.count >= submitted.filter(\.known).count
        }
        try await Task.sleep(for: .seconds(2))
        alerts = try await harness.alerts(base)
        for job in submitted {
            let mine = alerts.filter { ($0["scan"] as? [String: Any])?["id"] as? String == job.id }
            #expect(mine.count == (job.known ? 1 : 0), "\(job.id) (\(job.clip)): \(mine)")
            for alert in mine {
                #expect(alert["kind"] as? String == "match")
                #expect(alert["stream"] as? String == "scan:\(job.id)")
                #expect(((alert["scan"] as? [String: Any])?["callback"] as? [String: Any])?["upload"] as? String == job.id)
            }
        }
        #expect(alerts.count == submitted.filter(\.known).count)
        let lines = alerts.map { String(decoding: (try? JSONSerialization.data(withJSONObject: $0)) ?? Data(), as: UTF8.self) }
        #expect(try await SchemaValidator.validate(lines, schema: SchemaValidator.schemaPath()).allSatisfy { $0 == "ok" })
        #expect(await daemon.terminate(timeout: 20) == 0)
    }

    @Test("kill -9 with jobs queued and running: after a restart every job completes, each with one verdict, vigil scan's",
          .timeLimit(.minutes(6)))
    func killNine() async throws {
        let harness = try ScanJobHarness()
        defer { harness.remove() }
        let clips = try await harness.clips()
        let long = try await harness.longClip(times: 6)
        let sources = [long] + clips.prefix(6).map(\.path)
        var expected: [String: String] = [:]
        for source in Set(sources) { expected[source] = ScanJobHarness.canonical(try await harness.cliVerdict(source)) }

        let apiPort = try freeLoopbackPort()
        let config = try harness.writeConfig(apiPort: apiPort, concurrency: 1)
        let base = "http://127.0.0.1:\(apiPort)"
        let first = try await harness.serve(config: config, apiPort: apiPort, log: "first.log")
        defer { first.kill9() }
        for (index, source) in sources.enumerated() {
            #expect(try await harness.submit(base, source: source, id: "job-\(index)").status == 202)
        }
        // The long job is read (its progress stored, its alert committed), the others wait behind it.
        func scanID(_ alert: [String: Any]) -> String? { (alert["scan"] as? [String: Any])?["id"] as? String }
        try await waitUntil(timeout: .seconds(60)) {
            let job = try await API.call(.GET, base + "/v1/scans/job-0", token: ScanJobHarness.token).json
            guard job?["state"] as? String == "running", ((job?["progress"] as? [String: Any])?["frames_hashed"] as? Int ?? 0) > 0 else { return false }
            return try await harness.alerts(base).contains { scanID($0) == "job-0" }
        }
        let firstAlert = try #require(try await harness.alerts(base).first { scanID($0) == "job-0" })
        let before = try await harness.jobs(base)
        #expect(before.contains { $0["state"] as? String == "queued" }, "jobs are still queued at the kill")
        first.kill9()
        #expect(first.process.terminationReason == .uncaughtSignal)

        let second = try await harness.serve(config: config, apiPort: apiPort, log: "second.log")
        defer { second.kill9() }
        var jobs: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(240)) {
            jobs = try await harness.jobs(base)
            return jobs.count == sources.count && jobs.allSatisfy { $0["state"] as? String == "done" }
        }
        for (index, source) in sources.enumerated() {
            let job = try #require(jobs.first { $0["id"] as? String == "job-\(index)" })
            #expect(ScanJobHarness.canonical(job["verdict"] ?? [:]) == expected[source], "job-\(index)")
        }
        let interrupted = try #require(jobs.first { $0["id"] as? String == "job-0" })
        #expect(interrupted["attempts"] as? Int == 2, "the job running at the kill was read again: \(interrupted)")
        // Read again, the interrupted job found its known clip again: still one alert, the first
        // attempt's, and one alert for each other known job.
        let alerts = try await harness.alerts(base)
        let mine = alerts.filter { scanID($0) == "job-0" }
        #expect(mine.count == 1 && mine.first?["id"] as? String == firstAlert["id"] as? String, "\(mine)")
        for (index, source) in sources.enumerated() where index > 0 {
            let matched = (jobs.first { $0["id"] as? String == "job-\(index)" }?["verdict"] as? [String: Any])?["matched"] as? Bool == true
            #expect(alerts.filter { scanID($0) == "job-\(index)" }.count == (matched ? 1 : 0), "job-\(index): \(source)")
        }
        #expect(jobs.filter { $0["id"] as? String != "job-0" }.allSatisfy { $0["attempts"] as? Int == 1 })
        let log = (try? String(contentsOf: harness.directory.appendingPathComponent("second.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("scan jobs requeued"), "the restart said what it requeued")
        #expect(await second.terminate(timeout: 20) == 0)
    }

    @Test("a full queue answers 429 with Retry-After; a repeated submission is answered with the job; another source under its id is refused",
          .timeLimit(.minutes(3)))
    func queueBounds() async throws {
        let harness = try ScanJobHarness()
        defer { harness.remove() }
        let long = try await harness.longClip(times: 6)
        let apiPort = try freeLoopbackPort()
        let config = try harness.writeConfig(apiPort: apiPort, concurrency: 1, scans: ["queue: 2"])
        let daemon = try await harness.serve(config: config, apiPort: apiPort, log: "serve.log")
        defer { daemon.kill9() }
        let base = "http://127.0.0.1:\(apiPort)"
        #expect(try await harness.submit(base, source: long, id: "a").status == 202)
        #expect(try await harness.submit(base, source: long, id: "b").status == 202)
        let full = try await harness.submit(base, source: long, id: "c")
        #expect(full.status == 429)
        #expect(full.retryAfter.flatMap(Int.init).map { $0 > 0 } == true, "Retry-After: \(full.retryAfter ?? "none")")
        let again = try await harness.submit(base, source: long, id: "a")
        #expect(again.status == 200 && again.json?["id"] as? String == "a")
        let other = try await harness.submit(base, source: "file://" + long, id: "a")
        #expect(other.status == 409)
        let outside = try await harness.submit(base, source: SampleClips.known, id: "outside")
        #expect(outside.status == 403, "\(outside.text)")
        #expect(try await API.call(.GET, base + "/v1/scans/nope", token: ScanJobHarness.token).status == 404)
        #expect(try await API.call(.GET, base + "/v1/scans?state=sideways", token: ScanJobHarness.token).status == 400)
        #expect(try await API.call(.POST, base + "/v1/scans", token: nil, body: API.json(["source": long])).status == 401)
        let queued = try await API.call(.GET, base + "/v1/scans?state=queued", token: ScanJobHarness.token).json?["scans"] as? [[String: Any]] ?? []
        #expect(queued.allSatisfy { $0["state"] as? String == "queued" })
        let metrics = try await API.call(.GET, base + "/metrics", token: ScanJobHarness.token).text
        #expect(metrics.contains("vigil_scan_jobs_refused_total 1"), "\(metrics)")
        #expect(await daemon.terminate(timeout: 20) == 0)
    }

    @Test("a source that trickles its bytes fails at scans.timeout, and the next job runs", .timeLimit(.minutes(3)))
    func timeout() async throws {
        let harness = try ScanJobHarness()
        defer { harness.remove() }
        // known-long.mp4, served slowly below.
        _ = try await harness.longClip(times: 6)
        let media = harness.directory.appendingPathComponent("media")
        let slow = try await NginxFileServer.start(serving: media, in: harness.directory, bytesPerSecond: 8192)
        defer { slow.stop() }
        let apiPort = try freeLoopbackPort()
        let config = try harness.writeConfig(apiPort: apiPort, concurrency: 1, scans: ["timeout: 3s"])
        let daemon = try await harness.serve(config: config, apiPort: apiPort, log: "serve.log")
        defer { daemon.kill9() }
        let base = "http://127.0.0.1:\(apiPort)"
        #expect(try await harness.submit(base, source: slow.url("known-long.mp4"), id: "trickle").status == 202)
        let short = media.appendingPathComponent("known.mp4").path
        try FileManager.default.copyItem(atPath: SampleClips.known, toPath: short)
        #expect(try await harness.submit(base, source: short, id: "after").status == 202)
        var jobs: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(60)) {
            jobs = try await harness.jobs(base)
            return jobs.count == 2 && jobs.allSatisfy { ["done", "failed"].contains($0["state"] as? String) }
        }
        let trickle = try #require(jobs.first { $0["id"] as? String == "trickle" })
        #expect(trickle["state"] as? String == "failed")
        #expect((trickle["error"] as? String ?? "").contains("scans.timeout"), "\(trickle)")
        let after = jobs.first { $0["id"] as? String == "after" }
        #expect(after?["state"] as? String == "done", "\(after ?? [:])")
        #expect(await daemon.terminate(timeout: 20) == 0)
    }

    @Test("a job's input is read in an ingest child: the child crashing fails that job with the reason, the daemon and the next job go on",
          .timeLimit(.minutes(3)))
    func childCrash() async throws {
        let harness = try ScanJobHarness()
        defer { harness.remove() }
        let media = harness.directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        let clip = media.appendingPathComponent("known.mp4").path
        try FileManager.default.copyItem(atPath: SampleClips.known, toPath: clip)
        let apiPort = try freeLoopbackPort()
        let config = try harness.writeConfig(apiPort: apiPort, concurrency: 1)
        // A debug build's test-only fault: the child reading job "crashy" aborts after its 2nd frame.
        let marker = harness.directory.appendingPathComponent("crashed").path
        let daemon = try DaemonProcess(
            executable: harness.executable, config: config, log: harness.directory.appendingPathComponent("serve.log"),
            environment: ["VIGIL_TEST_INGEST_CRASH": "crashy:2:\(marker)"])
        defer { daemon.kill9() }
        let base = "http://127.0.0.1:\(apiPort)"
        try await waitUntil(timeout: .seconds(20)) { (try? await API.call(.GET, base + "/healthz"))?.status == 200 }
        #expect(try await harness.submit(base, source: clip, id: "crashy").status == 202)
        #expect(try await harness.submit(base, source: clip, id: "after").status == 202)
        var jobs: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(90)) {
            jobs = try await harness.jobs(base)
            return jobs.count == 2 && jobs.allSatisfy { ["done", "failed"].contains($0["state"] as? String) }
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the injected crash happened")
        let crashy = try #require(jobs.first { $0["id"] as? String == "crashy" })
        #expect(crashy["state"] as? String == "failed")
        #expect((crashy["error"] as? String ?? "").contains("crashed"), "\(crashy)")
        #expect((crashy["error"] as? String ?? "").contains(clip), "the error names the input: \(crashy)")
        let after = try #require(jobs.first { $0["id"] as? String == "after" })
        #expect(after["state"] as? String == "done", "\(after)")
        let verdict = try await harness.cliVerdict(clip)
        #expect(ScanJobHarness.canonical(after["verdict"] ?? [:]) == ScanJobHarness.canonical(verdict), "\(after)")
        #expect((try? await API.call(.GET, base + "/healthz"))?.status == 200)
        #expect(await daemon.terminate(timeout: 20) == 0)
    }
}
