#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes (4 or 16), in network order.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses a literal address (`192.0.2.1`, `::1`, `[::1]`); nil when `text` is not one.
    public init?(_ text: String) {
        var literal = Substring(text)
        if literal.hasPrefix("["), literal.hasSuffix("]") { literal = literal.dropFirst().dropLast() }
        // A zone (`fe80::1%eth0`) names an interface; the address is what the policy judges.
        if let percent = literal.firstIndex(of: "%") { literal = literal[..<percent] }
        var v4 = [UInt8](repeating: 0, count: 4)
        var v6 = [UInt8](repeating: 0, count: 16)
        let string = String(literal)
        if v4.withUnsafeMutableBytes({ inet_pton(AF_INET, string, $0.baseAddress) }) == 1 {
            bytes = v4
        } else if v6.withUnsafeMutableBytes({ inet_pton(AF_INET6, string, $0.baseAddress) }) == 1 {
            bytes = v6
        } else {
            return nil
        }
    }

    /// An address of `bytes` (4 or 16 of them).
    init(bytes: [UInt8]) {
        precondition(bytes.count == 4 || bytes.count == 16)
        self.bytes = bytes
    }

    /// Whether it is an IPv4 address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) carries, so that a policy
    /// on IPv4 ranges cannot be passed by writing the address the IPv6 way.
    public var unmapped: IPAddress {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        return IPAddress(bytes: Array(bytes[12..<16]))
    }

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let text = bytes.withUnsafeBytes { raw in
            buffer.withUnsafeMutableBufferPointer { out in
                inet_ntop(AF_INET6, raw.baseAddress, out.baseAddress, socklen_t(out.count)).map { String(cString: $0) }
            }
        }
        return text ?? bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }
}
