#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging
import Synchronization

/// systemd's readiness protocol (sd_notify(3)), spoken directly: newline-separated `KEY=VALUE`
/// assignments, one datagram each, to the Unix datagram socket `NOTIFY_SOCKET` names (a path, or
/// with a leading `@` a name in the abstract namespace).
///
/// The protocol is a few lines of socket code, so the daemon carries no libsystemd. Nothing here
/// can stop the daemon: a socket that cannot be used is logged and the daemon runs on unnotified
/// (under `Type=notify`, systemd then reports the start as timed out, which names the cause).
public final class SystemdNotifier: Sendable {
    /// `NOTIFY_SOCKET` as given.
    public let socketName: String
    /// The watchdog systemd asks for; nil when it asks for none.
    public let watchdog: SystemdWatchdog?
    private let descriptor: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t
    let logger: Logger
    /// Whether the last send failed: a socket that went away is logged once, not at every ping.
    private let failing = Mutex(false)

    /// The notifier `environment` asks for; nil when `NOTIFY_SOCKET` is unset, or (logged) when it
    /// or the watchdog variables cannot be used. A broken watchdog setting keeps the notifications
    /// without the pings.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid(), logger: Logger
    ) -> SystemdNotifier? {
        guard let name = environment["NOTIFY_SOCKET"] else { return nil }
        var watchdog: SystemdWatchdog?
        do {
            watchdog = try SystemdWatchdog.from(environment: environment, pid: pid)
        } catch {
            logger.error("systemd watchdog setting ignored", metadata: ["error": "\(error)"])
        }
        do {
            return try SystemdNotifier(socket: name, watchdog: watchdog, logger: logger)
        } catch {
            logger.error("systemd notifications off: NOTIFY_SOCKET cannot be used", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// A notifier sending to `socket` (a path or `@`abstract name).
    ///
    /// - Throws: ``SystemdNotifyError`` when the name is no Unix socket address or no socket can be made.
    public init(socket name: String, watchdog: SystemdWatchdog? = nil, logger: Logger) throws(SystemdNotifyError) {
        (address, addressLength) = try Self.address(name)
        #if canImport(Glibc)
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        #else
        let type = SOCK_DGRAM
        #endif
        descriptor = socket(AF_UNIX, type, 0)
        guard descriptor >= 0 else {
            throw SystemdNotifyError(variable: "NOTIFY_SOCKET", value: name, problem: "socket(AF_UNIX, SOCK_DGRAM): \(String(cString: strerror(errno)))")
        }
        socketName = name
        self.watchdog = watchdog
        self.logger = logger
    }

    deinit { close(descriptor) }

    /// Sends `assignments` (`KEY=VALUE`, one per element) as one datagram; false (logged) when it
    /// could not be sent. Never blocks: the socket is non-blocking, and a systemd too busy to
    /// take a datagram misses that one.
    @discardableResult
    public func send(_ assignments: [String]) -> Bool {
        let message = assignments.joined(separator: "\n")
        var target = address
        let sent = message.utf8CString.withUnsafeBufferPointer { text in
            withUnsafePointer(to: &target) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    // utf8CString ends in a NUL that is no part of the message.
                    sendto(descriptor, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
                }
            }
        }
        let error = sent < 0 ? errno : 0
        let wasFailing = failing.withLock { failing in
            defer { failing = sent < 0 }
            return failing
        }
        if sent < 0, !wasFailing {
            logger.warning("systemd notification not sent; the daemon runs on", metadata: [
                "socket": "\(socketName)", "message": "\(assignments.first ?? "")", "error": "\(String(cString: strerror(error)))",
            ])
        } else if sent >= 0, wasFailing {
            logger.notice("systemd notifications delivered again", metadata: ["socket": "\(socketName)"])
        }
        return sent >= 0
    }

    /// `READY=1` with a `STATUS=` line for `systemctl status`: at start, and when a reload is done.
    @discardableResult
    public func ready(status: String) -> Bool {
        send(["READY=1", "STATUS=\(status)"])
    }

    /// `RELOADING=1`, stamped with `CLOCK_MONOTONIC` as systemd asks, so that it can tell this
    /// reload from an earlier one; ``ready(status:)`` ends it.
    @discardableResult
    public func reloading() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        return send(["RELOADING=1", "MONOTONIC_USEC=\(microseconds)", "STATUS=reloading the configuration"])
    }

    /// The longest name `sockaddr_un` holds: its path field less the terminating NUL (abstract
    /// names have none, but systemd keeps to the same bound).
    static var maximumNameBytes: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// `name` as a socket address: `/path` or `@abstract`.
    static func address(_ name: String) throws(SystemdNotifyError) -> (sockaddr_un, socklen_t) {
        func refuse(_ problem: String) -> SystemdNotifyError {
            SystemdNotifyError(variable: "NOTIFY_SOCKET", value: name, problem: problem)
        }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "/") || first == UInt8(ascii: "@") else {
            throw refuse("neither an absolute path nor an @abstract name (other kinds, such as vsock:, are not supported)")
        }
        guard bytes.count > 1 else { throw refuse("the name is empty") }
        guard !bytes.contains(0) else { throw refuse("the name contains a NUL byte") }
        guard bytes.count <= maximumNameBytes else {
            throw refuse("\(bytes.count) bytes long; a Unix socket address holds at most \(maximumNameBytes)")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in bytes.enumerated() { path[index] = byte }
            // An abstract name starts with a NUL where the '@' stood; a path ends with one (zeroed).
            if first == UInt8(ascii: "@") { path[0] = 0 }
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
        // An abstract name is exactly its bytes, no terminator; a path's length includes its NUL.
        let length = pathOffset + bytes.count + (first == UInt8(ascii: "@") ? 0 : 1)
        return (address, socklen_t(length))
    }
}
