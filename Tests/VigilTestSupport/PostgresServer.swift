import Foundation

/// A PostgreSQL server of a test's own: Debian's binaries, a new cluster made by `initdb` in a
/// temporary folder, listening on a free loopback port with trust authentication for the
/// `postgres` role. PostgreSQL refuses to run as root, so under root its programs run as the
/// `postgres` system user (`runuser`), which owns the folder.
public final class PostgresServer: Sendable {
    /// The role every test connects as (trust authentication: no password).
    public static let user = "postgres"
    /// The database `initdb` creates.
    public static let database = "postgres"
    /// The loopback port it listens on.
    public let port: Int
    /// The cluster's folder (data, socket, log), removed by ``stop()``.
    public let directory: URL
    private let binaries: URL

    private init(port: Int, directory: URL, binaries: URL) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
    }

    /// `postgres://postgres@127.0.0.1:PORT/postgres`.
    public var url: String { "postgres://\(Self.user)@127.0.0.1:\(port)/\(Self.database)" }

    /// Makes a cluster and starts it; waits until it accepts connections.
    public static func start() async throws -> PostgresServer {
        let binaries = try installedBinaries()
        let directory = try Fixtures.temporaryDirectory()
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        if geteuid() == 0 {
            try await checked(runProcess("/bin/chown", ["-R", "postgres:postgres", directory.path]), "chown")
        }
        let server = PostgresServer(port: try freeLoopbackPort(), directory: directory, binaries: binaries)
        try await server.run("initdb", ["-D", data.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"])
        do {
            try await server.resume()
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// Starts the (stopped) server again on the same port and data; waits until it accepts
    /// connections.
    public func resume() async throws {
        // The server inherits pg_ctl's descriptors and outlives it: through pipes, a reader waiting
        // for their end would wait for the server's. pg_ctl writes to a file and is waited for by
        // its exit alone.
        let output = directory.appendingPathComponent("pg_ctl.out")
        let data = directory.appendingPathComponent("data").path
        let arguments = ["-D", data, "-l", directory.appendingPathComponent("server.log").path, "-w", "-t", "60",
                         "-o", "-p \(port) -k \(data) -c listen_addresses=127.0.0.1 -c fsync=off", "start"]
        let status = try await Self.runToExit(binaries.appendingPathComponent("pg_ctl").path, arguments, output: output)
        guard status == 0 else {
            let said = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw SubprocessError(description: "pg_ctl start exited with \(status): \(said)")
        }
    }

    /// Stops the server at once (as a crash would), keeping its data for ``resume()``.
    public func halt() async throws {
        try await run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop", "-s"])
    }

    /// Runs `program` (as the `postgres` user under root) with stdin from /dev/null and its output
    /// to `output`, and returns its exit status once it exits, whatever its children hold open.
    ///
    /// `posix_spawn` and `waitpid` rather than Foundation's `Process`, which learns of the exit
    /// through a descriptor the child inherits, and so waits for the server that inherits it too.
    private static func runToExit(_ program: String, _ arguments: [String], output: URL) async throws -> Int32 {
        let argv = Self.asServerUser(program, arguments)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ)
        guard spawned == 0 else {
            throw SubprocessError(description: "cannot start \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        let child = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS, which Swift does not import.
                continuation.resume(returning: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }

    /// Stops the server at once and removes its folder.
    public func stop() async {
        _ = try? await run("pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "stop", "-s"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// The server's own log, for failure messages.
    public var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    private func run(_ program: String, _ arguments: [String]) async throws {
        let argv = Self.asServerUser(binaries.appendingPathComponent(program).path, arguments)
        try await Self.checked(runProcess(argv[0], Array(argv.dropFirst())), program)
    }

    /// The command line that runs `program` as the server's user: through `runuser` under root
    /// (PostgreSQL refuses to run as root), as is otherwise.
    private static func asServerUser(_ program: String, _ arguments: [String]) -> [String] {
        geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
    }

    private static func checked(_ output: ProcessOutput, _ what: String) throws {
        guard output.status == 0 else {
            throw SubprocessError(description: "\(what) exited with \(output.status): \(output.stderrText)\(output.stdoutText)")
        }
    }

    /// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb`.
    private static func installedBinaries() throws -> URL {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let found = versions.compactMap(Int.init).sorted().reversed().map {
            root.appendingPathComponent("\($0)/bin")
        }.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
        guard let found else {
            throw SubprocessError(description: "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make deps`")
        }
        return found
    }
}
