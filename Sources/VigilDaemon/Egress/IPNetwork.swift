/// A range of addresses in CIDR form (`10.0.0.0/8`, `fe80::/10`); a single address is a range of
/// one (`/32` or `/128`).
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The first address.
    public let base: IPAddress
    /// How many leading bits every address of the range shares with ``base``.
    public let prefixLength: Int

    /// Parses `address/prefix` or a single address; nil when `text` is neither.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        var length = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maximum).contains(value), parts[1].allSatisfy(\.isNumber) else { return nil }
            length = value
        }
        self.init(base: address, prefixLength: length)
    }

    /// The range of `base` (its bits past the prefix cleared) and `prefixLength`.
    init(base: IPAddress, prefixLength: Int) {
        var bytes = base.bytes
        for index in bytes.indices {
            let kept = min(8, max(0, prefixLength - index * 8))
            bytes[index] &= kept == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - kept))
        }
        self.base = IPAddress(bytes: bytes)
        self.prefixLength = prefixLength
    }

    /// Whether `address` is in the range (an IPv4-mapped IPv6 address counts as its IPv4 one).
    public func contains(_ address: IPAddress) -> Bool {
        let address = address.unmapped
        guard address.bytes.count == base.bytes.count else { return false }
        return IPNetwork(base: address, prefixLength: prefixLength).base == base
    }

    public var description: String { "\(base)/\(prefixLength)" }
}
