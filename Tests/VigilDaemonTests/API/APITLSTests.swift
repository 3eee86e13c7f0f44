import Foundation
import Testing
import VigilTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The API over TLS with a certificate made here, replaced on SIGHUP, through the built binary.
@Suite("API over TLS", .serialized)
struct APITLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, written to `certificate` and `key`.
    static func makeCertificate(certificate: String, key: String) async throws {
        let made = try await runProcess("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ], timeout: 30)
        try #require(made.status == 0, "openssl: \(made.stderrText)")
    }

    /// `curl` over https, trusting only `trusting`; the HTTP status, or nil when no TLS session
    /// with that trust (or no HTTP answer) came about.
    static func status(_ url: String, trusting: String, token: String? = TestDaemon.token) async throws -> Int? {
        var arguments = ["--silent", "--max-time", "10", "--output", "/dev/null", "--write-out", "%{http_code}", "--cacert", trusting]
        if let token { arguments += ["--header", "Authorization: Bearer \(token)"] }
        let result = try await runProcess("/usr/bin/curl", arguments + [url], timeout: 20)
        guard result.status == 0, let code = Int(result.stdoutText), code > 0 else { return nil }
        return code
    }

    @Test("https with the configured certificate; plain http refused; renewed files served after SIGHUP; a bad key stops the start",
          .timeLimit(.minutes(3)))
    func tls() async throws {
        let executable = try VigilExecutable.path()
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try await Self.makeCertificate(certificate: path("first.pem"), key: path("first.key"))
        try await Self.makeCertificate(certificate: path("second.pem"), key: path("second.key"))
        try FileManager.default.copyItem(atPath: path("first.pem"), toPath: path("cert.pem"))
        try FileManager.default.copyItem(atPath: path("first.key"), toPath: path("key.pem"))

        let port = try freeLoopbackPort()
        let config = path("vigil.yml")
        try """
            listen: 127.0.0.1:\(port)
            api_token: \(TestDaemon.token)
            state_dir: \(directory.path)/state
            api: {tls: {certificate: \(path("cert.pem")), key: \(path("key.pem"))}}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(executable: executable, config: config, log: directory.appendingPathComponent("serve.log"))
        let https = "https://127.0.0.1:\(port)"
        try await waitUntil(timeout: .seconds(30)) { (try? await Self.status(https + "/healthz", trusting: path("first.pem"))) == 200 }
        #expect(try await Self.status(https + "/v1/streams", trusting: path("first.pem")) == 200)
        #expect(try await Self.status(https + "/v1/streams", trusting: path("first.pem"), token: nil) == 401)
        #expect(try await Self.status(https + "/healthz", trusting: path("second.pem")) == nil, "a certificate the client does not trust")
        let plain = try? await API.call(.GET, "http://127.0.0.1:\(port)/healthz")
        #expect(plain?.status != 200, "plain HTTP on the TLS listener")

        // Renewed files at the same paths, then SIGHUP: new connections get the new certificate.
        try FileManager.default.removeItem(atPath: path("cert.pem"))
        try FileManager.default.removeItem(atPath: path("key.pem"))
        try FileManager.default.copyItem(atPath: path("second.pem"), toPath: path("cert.pem"))
        try FileManager.default.copyItem(atPath: path("second.key"), toPath: path("key.pem"))
        kill(daemon.process.processIdentifier, SIGHUP)
        try await waitUntil(timeout: .seconds(10)) { (try? await Self.status(https + "/healthz", trusting: path("second.pem"))) == 200 }
        #expect(try await Self.status(https + "/healthz", trusting: path("first.pem")) == nil)

        // A broken key on SIGHUP: the running certificate stays.
        try "not a key".write(toFile: path("key.pem"), atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try await waitUntil(timeout: .seconds(10)) {
            (try? String(contentsOf: daemon.log, encoding: .utf8))?.contains("API certificate not reloaded") == true
        }
        #expect(try await Self.status(https + "/v1/streams", trusting: path("second.pem")) == 200)
        #expect(await daemon.terminate(timeout: 15) == 0)

        // The same broken key at start: the daemon refuses to start and says which file.
        let refused = try await runProcess(executable, ["serve", "--config", config], timeout: 30)
        #expect(refused.status != 0)
        #expect((refused.stdoutText + refused.stderrText).contains("api.tls.key: cannot read a PEM private key from \(path("key.pem"))"),
                "\(refused.stderrText)")
    }
}
