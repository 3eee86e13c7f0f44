import Foundation

/// A server or feeder started by a live test. It runs under `timeout`, so even if the test process
/// dies the child is gone within its hard limit, and `stop()` (or dropping the object) kills its
/// whole process group.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    public let logURL: URL
    private let process = Process()
    private let lock = NSLock()
    private var stopped = false

    /// Starts `executable` with `arguments`, output going to `log` inside `directory`.
    ///
    /// - Parameter hardLimit: seconds after which `timeout` kills the child whatever happens.
    public init(_ name: String, _ executable: String, _ arguments: [String], directory: URL, hardLimit: Int = 90) throws {
        self.name = name
        logURL = directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        // timeout puts itself and the child in a new process group: killing the group kills both.
        process.arguments = ["-k", "2", String(hardLimit), executable] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        process.currentDirectoryURL = directory
        try process.run()
        try? log.close()
    }

    deinit {
        stop()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// What the child printed so far.
    public var log: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    /// Kills the child and its group: SIGKILL at once when `abruptly` (a crash), else SIGTERM first.
    public func stop(abruptly: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        let group = -process.processIdentifier
        if !abruptly {
            kill(group, SIGTERM)
            if waitForExit(seconds: 2) { return }
        }
        kill(group, SIGKILL)
        kill(process.processIdentifier, SIGKILL)
        _ = waitForExit(seconds: 5)
    }

    private func waitForExit(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}

/// A test environment problem (a server that would not start), reported as such.
public struct SetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass.
public func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return true
}

/// Waits until something accepts TCP connections on the loopback `port`.
public func waitForTCP(port: Int, within seconds: Double) async -> Bool {
    await eventually(within: seconds) { acceptsTCP(port: port) }
}

/// Waits until some socket on this machine is bound to the UDP `port` (a reader listening for a
/// stream), by the kernel's socket table.
public func waitForUDPListener(port: Int, within seconds: Double) async -> Bool {
    let hexPort = ":" + String(format: "%04X", port)
    return await eventually(within: seconds) {
        ["/proc/net/udp", "/proc/net/udp6"].contains { table in
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { return false }
            // Each row: "sl local_address rem_address ..."; the local address ends with ":PORT".
            return text.split(separator: "\n").dropFirst().contains { row in
                row.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first?.hasSuffix(hexPort) == true
            }
        }
    }
}

/// Reads the port a helper script wrote to `file` once it is listening.
public func readPort(from file: URL, within seconds: Double) async throws -> Int {
    var port: Int?
    _ = await eventually(within: seconds) {
        port = (try? String(contentsOf: file, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return port != nil
    }
    guard let port else { throw SetupError("no port in \(file.lastPathComponent) after \(seconds) s") }
    return port
}
