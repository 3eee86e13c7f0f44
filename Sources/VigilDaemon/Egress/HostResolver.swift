import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves host names to addresses for the egress check, off Swift's cooperative pool (the
/// system resolver blocks) and within a deadline.
public enum HostResolver {
    /// Why a host has no addresses to check.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The host.
        public let host: String
        /// What went wrong, in words.
        public let reason: String
        public var description: String { "\(host): \(reason)" }
    }

    /// The addresses of `host`: itself when it is a literal address; else what the system
    /// resolver answers within `timeout`.
    public static func addresses(of host: String, timeout: Duration = .seconds(5)) async throws(Failure) -> [IPAddress] {
        if let literal = IPAddress(host) { return [literal] }
        let name = EgressPolicy.normalized(host)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[IPAddress], Failure>, Never>) in
            let once = OnceFlag()
            DispatchQueue.global().async {
                let outcome = lookUp(name)
                if once.claim() { continuation.resume(returning: outcome) }
            }
            let seconds = timeout / .seconds(1)
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if once.claim() { continuation.resume(returning: .failure(Failure(host: name, reason: "not resolved within \(seconds) s"))) }
            }
        }
        return try result.get()
    }

    /// `getaddrinfo`, blocking.
    private static func lookUp(_ name: String) -> Result<[IPAddress], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(name, nil, &hints, &list)
        guard status == 0, let first = list else {
            return .failure(Failure(host: name, reason: "cannot be resolved (\(String(cString: gai_strerror(status))))"))
        }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            if let socket = current.pointee.ai_addr {
                switch Int32(socket.pointee.sa_family) {
                case AF_INET:
                    socket.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        withUnsafeBytes(of: v4.pointee.sin_addr) { addresses.append(IPAddress(bytes: Array($0))) }
                    }
                case AF_INET6:
                    socket.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                        withUnsafeBytes(of: v6.pointee.sin6_addr) { addresses.append(IPAddress(bytes: Array($0))) }
                    }
                default:
                    break
                }
            }
            entry = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { return .failure(Failure(host: name, reason: "has no address")) }
        return .success(Array(Set(addresses)).sorted { $0.description < $1.description })
    }
}

/// True once: whichever of the lookup and its deadline claims it resumes the caller.
private final class OnceFlag: Sendable {
    private let claimed = Mutex(false)

    func claim() -> Bool {
        claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
    }
}
