/// Which hosts a stream added over the API may make the daemon connect to (`egress:` in the
/// config). A token holder must not be able to use the daemon to reach its own machine or the
/// networks behind it — services on loopback, private ranges, cloud metadata — so those are
/// refused unless `allow_hosts` names them. Config streams are the operator's own and are not
/// checked.
///
/// A host is refused when its name or any of its addresses is in `deny_hosts`; otherwise allowed
/// when its name is in `allow_hosts`, or when each of its addresses is in `allow_hosts` or outside
/// ``internalRanges``.
public struct EgressPolicy: Sendable, Equatable {
    /// Hosts (names, `*.domain`, addresses, CIDR ranges) API streams may reach even inside the
    /// internal ranges.
    public var allowHosts: [HostRule] = []
    /// Hosts API streams may never reach.
    public var denyHosts: [HostRule] = []

    /// Creates a policy; with no rules, only the internal ranges are refused.
    public init(allowHosts: [HostRule] = [], denyHosts: [HostRule] = []) {
        self.allowHosts = allowHosts
        self.denyHosts = denyHosts
    }

    /// The ranges refused unless allowed, each with what it is.
    public static let internalRanges: [(network: IPNetwork, kind: String)] = [
        ("0.0.0.0/8", "unspecified"), ("127.0.0.0/8", "loopback"), ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"), ("192.168.0.0/16", "private"), ("100.64.0.0/10", "shared (carrier-grade NAT)"),
        ("169.254.0.0/16", "link-local (cloud metadata)"), ("192.0.0.0/24", "protocol assignments"),
        ("198.18.0.0/15", "benchmarking"), ("224.0.0.0/4", "multicast"), ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"), ("::1/128", "loopback"), ("fc00::/7", "unique local (private, cloud metadata)"),
        ("fe80::/10", "link-local"), ("ff00::/8", "multicast"),
    ].map { (IPNetwork($0.0)!, $0.1) }

    /// Why `host`, with `addresses` (what it resolves to; itself when a literal), may not be
    /// reached; nil when it may.
    public func refusal(host: String, addresses: [IPAddress]) -> String? {
        let name = Self.normalized(host)
        if let rule = denyHosts.first(where: { $0.matches(host: name) }) {
            return "\(name) is denied by egress.deny_hosts (\(rule))"
        }
        for address in addresses {
            if let rule = denyHosts.first(where: { $0.matches(address: address) }) {
                return "\(name) resolves to \(address), denied by egress.deny_hosts (\(rule))"
            }
        }
        if allowHosts.contains(where: { $0.matches(host: name) }) { return nil }
        for address in addresses where !allowHosts.contains(where: { $0.matches(address: address) }) {
            if let range = Self.internalRanges.first(where: { $0.network.contains(address) }) {
                let said = IPAddress(name) == nil ? "\(name) resolves to \(address), " : "\(address) is "
                return said + "a \(range.kind) address (list it in egress.allow_hosts to allow it)"
            }
        }
        return nil
    }

    /// A host as rules compare it: lowercased, without brackets or a trailing dot.
    static func normalized(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix("."), host.count > 1 { host.removeLast() }
        return host
    }
}
