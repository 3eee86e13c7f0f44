import Foundation
import Testing
import VigilDaemon
import VigilTestSupport

/// `packaging/vigil.service`, checked by systemd's own verifier. systemd-analyze must be installed
/// (scripts/install-deps.sh installs it): without it these tests fail rather than pass unchecked.
@Suite("packaging/vigil.service")
struct SystemdUnitTests {
    static let unit = Fixtures.root.appendingPathComponent("packaging/vigil.service")
    static let installedExecStart = "ExecStart=/usr/local/bin/vigil serve --config /etc/vigil/vigil.yml"

    /// systemd-analyze's path; throws when it is not installed.
    private static func analyzer() throws -> String {
        let candidates = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/systemd-analyze" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw SubprocessError(description: "systemd-analyze is not installed (Debian: the systemd package; scripts/install-deps.sh)")
        }
        return found
    }

    /// `systemd-analyze verify` on `text` written as `vigil.service`: its combined output (empty
    /// when it has nothing to say) and status.
    private static func verify(_ text: String) async throws -> (status: Int32, output: String) {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("vigil.service")
        try text.write(to: file, atomically: true, encoding: .utf8)
        // verify must not look at the host's own units beyond what the file names.
        let result = try await runProcess(try analyzer(), ["verify", "--man=no", file.path],
                                          environment: ["SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": "cat"], timeout: 60)
        return (result.status, (result.stdoutText + result.stderrText).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("systemd-analyze verify has nothing to say about the unit (with ExecStart on the built binary)", .timeLimit(.minutes(2)))
    func verifies() async throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        #expect(text.components(separatedBy: "\n").filter { $0 == Self.installedExecStart }.count == 1,
                "the unit runs \(Self.installedExecStart)")
        let executable = try VigilExecutable.path()
        let local = text.replacingOccurrences(of: "ExecStart=/usr/local/bin/vigil ", with: "ExecStart=\(executable) ")
        let result = try await Self.verify(local)
        #expect(result.status == 0 && result.output.isEmpty, "systemd-analyze verify: status \(result.status)\n\(result.output)")
    }

    @Test("the verifier does complain about a misspelt directive (so the check above can fail)", .timeLimit(.minutes(2)))
    func verifierComplains() async throws {
        let executable = try VigilExecutable.path()
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/local/bin/vigil ", with: "ExecStart=\(executable) ")
            .replacingOccurrences(of: "ProtectHome=yes", with: "ProtectHomes=yes")
        let result = try await Self.verify(text)
        #expect(result.output.contains("ProtectHomes"), "\(result.output)")
    }

    @Test("the unit's command line is one vigil serve accepts, and it keeps its hardening")
    func commandAndHardening() async throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        let lines = Set(text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for required in [
            "Type=notify", "NotifyAccess=main", "DynamicUser=yes", "StateDirectory=vigil", "ProtectSystem=strict", "ProtectHome=yes",
            "NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "CapabilityBoundingSet=",
            "SystemCallFilter=@system-service", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID", "LimitNOFILE=65536",
        ] {
            #expect(lines.contains(required), "missing \(required)")
        }
        #expect(lines.contains { $0.hasPrefix("WatchdogSec=") })
        // The daemon runs `vigil ingest` children of itself: nothing may forbid fork and exec.
        for forbidden in ["SystemCallFilter=~@process", "RestrictNamespaces=~", "NoExecPaths=/"] {
            #expect(!lines.contains { $0.hasPrefix(forbidden) }, "\(forbidden)")
        }
        // LimitNOFILE fits the default limits.max_streams with room to spare.
        #expect(FileDescriptorBudget.needed(streams: 500) < 65536)
        // `--config` is a real option of `vigil serve`.
        let help = try await runProcess(try VigilExecutable.path(), ["serve", "--help"], timeout: 60)
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("--config <FILE>"), "\(help.stdoutText)")
    }

    @Test("the state_dir line the unit documents lands in systemd's StateDirectory, and /var/lib/vigil without it")
    func stateDirectory() throws {
        let text = try String(contentsOf: Self.unit, encoding: .utf8)
        let documented = try #require(text.components(separatedBy: "\n").first { $0.contains("state_dir:") })
        let line = String(documented.drop { $0 == "#" || $0 == " " })
        #expect(line == "state_dir: ${STATE_DIRECTORY:-/var/lib/vigil}")
        let config = "api_token: packaging-token-0123456789\n\(line)\n"
        #expect(try ConfigLoader.parse(config, environment: ["STATE_DIRECTORY": "/var/lib/vigil"]).stateDirectory == "/var/lib/vigil")
        #expect(try ConfigLoader.parse(config, environment: [:]).stateDirectory == "/var/lib/vigil")
    }
}
