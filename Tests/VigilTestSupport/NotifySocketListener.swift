import Foundation
import Glibc
import Synchronization

/// The systemd side of sd_notify for tests: a Unix datagram socket bound at a path (or with a
/// leading `@`, an abstract name), collecting every datagram it receives on a thread of its own.
public final class NotifySocketListener: @unchecked Sendable {
    /// The name to put in `NOTIFY_SOCKET`.
    public let name: String
    private let descriptor: Int32
    private let received = Mutex<[String]>([])
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)

    /// Binds `name`; throws when the socket cannot be made or bound.
    public init(name: String) throws {
        self.name = name
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SubprocessError(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw SubprocessError(description: "\(name) is too long for a socket address")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in bytes.enumerated() { path[index] = byte }
            if name.hasPrefix("@") { path[0] = 0 }
        }
        let offset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)!
        let length = socklen_t(offset + bytes.count + (name.hasPrefix("@") ? 0 : 1))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else {
            let problem = String(cString: strerror(errno))
            close(descriptor)
            throw SubprocessError(description: "bind \(name): \(problem)")
        }
        Thread.detachNewThread { [self] in receiveUntilStopped() }
    }

    /// Every datagram so far, in order of arrival.
    public var messages: [String] { received.withLock { $0 } }

    /// Stops receiving and closes the socket (removing a path socket's file).
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        done.wait()
        close(descriptor)
        if !name.hasPrefix("@") { unlink(name) }
    }

    deinit { stop() }

    private func receiveUntilStopped() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !stopped.load(ordering: .acquiring) {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 50) > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                let message = String(decoding: buffer[0..<count], as: UTF8.self)
                received.withLock { $0.append(message) }
            }
        }
        done.signal()
    }
}
