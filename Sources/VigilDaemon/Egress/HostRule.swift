import Foundation

/// One entry of `egress.allow_hosts` or `egress.deny_hosts`: an address range, a host name, or
/// every name under a domain (`*.example.com`).
public enum HostRule: Sendable, Hashable, CustomStringConvertible {
    /// Addresses in a range (`10.0.0.0/8`, `::1`).
    case network(IPNetwork)
    /// Exactly this name (lowercased, without a trailing dot).
    case name(String)
    /// Every name ending in `.` plus this domain.
    case domain(String)

    /// Parses an entry; nil when it is none of the three.
    public init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let network = IPNetwork(text) {
            self = .network(network)
            return
        }
        let name = EgressPolicy.normalized(text)
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let wildcard = labels.first == "*"
        let rest = wildcard ? labels.dropFirst() : labels[...]
        guard !rest.isEmpty, rest.allSatisfy({ label in
            (1...63).contains(label.count) && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }) else { return nil }
        self = wildcard ? .domain(rest.joined(separator: ".")) : .name(name)
    }

    /// Whether the rule names `host` itself (a name rule) or holds `address` (a range).
    func matches(host: String) -> Bool {
        switch self {
        case .network: return false
        case .name(let name): return host == name
        case .domain(let domain): return host.hasSuffix("." + domain)
        }
    }

    /// Whether a range rule holds `address`.
    func matches(address: IPAddress) -> Bool {
        if case .network(let network) = self { return network.contains(address) }
        return false
    }

    public var description: String {
        switch self {
        case .network(let network): return network.description
        case .name(let name): return name
        case .domain(let domain): return "*." + domain
        }
    }
}
