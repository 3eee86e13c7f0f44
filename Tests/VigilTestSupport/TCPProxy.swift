import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy a test can cut: a network partition between a daemon and its database.
///
/// ``sever()`` makes it a black hole, as a partition is: connections stay open but no byte
/// passes either way, and new connections are accepted but never reach the server, so the client
/// learns of the cut only through its own timeouts. ``restore()`` closes the connections cut
/// (their protocol state is lost, as after a real partition the peers' would be) and forwards new
/// ones again. Blocking sockets on threads of its own, never Swift's cooperative pool.
public final class TCPProxy: @unchecked Sendable {
    /// The loopback port clients connect to.
    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var severed = false
    private var stopped = false
    /// Every open descriptor (client and upstream sides), to close on restore or stop.
    private var open: Set<Int32> = []
    /// Clients accepted while cut, never connected onwards.
    private var held: Set<Int32> = []

    /// Listens on a free loopback port, forwarding to `127.0.0.1:upstreamPort`.
    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw SubprocessError(description: "socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw SubprocessError(description: "cannot listen on loopback: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Cuts the link: nothing passes until ``restore()``.
    public func sever() {
        lock.withLock { severed = true }
    }

    /// Ends the cut: the connections it held are closed, new ones are forwarded.
    public func restore() {
        let (cut, waiting) = lock.withLock { () -> (Set<Int32>, Set<Int32>) in
            severed = false
            defer { open.removeAll(); held.removeAll() }
            return (open, held)
        }
        for descriptor in cut { shutdown(descriptor, Int32(SHUT_RDWR)) }
        for descriptor in waiting { close(descriptor) }
    }

    /// Stops listening and closes every connection.
    public func stop() {
        let all = lock.withLock { () -> Set<Int32> in
            stopped = true
            defer { open.removeAll() }
            return open
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for descriptor in all { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    private var isSevered: Bool { lock.withLock { severed } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let (cut, done) = lock.withLock { (severed, stopped) }
            if done { close(client); return }
            // Cut: the client's connect succeeded, but it reaches nothing.
            if cut {
                lock.withLock { _ = held.insert(client) }
                continue
            }
            lock.withLock { _ = open.insert(client) }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                close(upstream)
                shutdown(client, Int32(SHUT_RDWR))
                continue
            }
            lock.withLock { _ = open.insert(upstream) }
            let pair = Pair(client, upstream)
            Thread.detachNewThread { [self] in pump(from: client, to: upstream); finish(pair) }
            Thread.detachNewThread { [self] in pump(from: upstream, to: client); finish(pair) }
        }
    }

    /// A connection's two descriptors, closed when both pumps are done with them.
    private final class Pair: @unchecked Sendable {
        let descriptors: (Int32, Int32)
        var running = 2
        init(_ first: Int32, _ second: Int32) { descriptors = (first, second) }
    }

    private func finish(_ pair: Pair) {
        let last = lock.withLock { () -> Bool in
            pair.running -= 1
            guard pair.running == 0 else { return false }
            open.remove(pair.descriptors.0)
            open.remove(pair.descriptors.1)
            return true
        }
        if last {
            close(pair.descriptors.0)
            close(pair.descriptors.1)
        }
    }

    /// Copies bytes one way until either side closes; while cut, bytes read are dropped.
    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        defer {
            shutdown(destination, Int32(SHUT_RDWR))
            shutdown(source, Int32(SHUT_RDWR))
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            if isSevered { continue }
            var sent = 0
            while sent < count {
                let written = buffer.withUnsafeBytes { send(destination, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                sent += written
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
