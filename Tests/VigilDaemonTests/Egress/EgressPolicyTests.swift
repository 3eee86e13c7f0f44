import Testing
@testable import VigilDaemon

/// The egress policy's decisions, its address ranges and host rules, and its config section.
@Suite("Egress policy: which hosts API streams may reach")
struct EgressPolicyTests {
    static func refusal(_ host: String, _ policy: EgressPolicy = EgressPolicy()) -> String? {
        policy.refusal(host: host, addresses: [IPAddress(host)!])
    }

    @Test("by default, loopback, private, link-local (cloud metadata), shared, multicast and unspecified addresses are refused", arguments: [
        "127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd00:ec2::254", "fc00::5", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254",
        "[::1]",
    ])
    func internalRefused(host: String) {
        #expect(Self.refusal(host) != nil, "\(host)")
    }

    @Test("public addresses are allowed", arguments: ["192.0.2.10", "198.51.100.7", "172.32.0.1", "100.128.0.1", "2001:db8::1", "::ffff:192.0.2.1"])
    func publicAllowed(host: String) {
        #expect(Self.refusal(host) == nil, "\(host)")
    }

    @Test("allow_hosts opens a range or a name; deny_hosts closes one, and wins")
    func rules() throws {
        let loopback = EgressPolicy(allowHosts: [try #require(HostRule("127.0.0.0/8")), try #require(HostRule("::1"))])
        #expect(Self.refusal("127.0.0.1", loopback) == nil)
        #expect(Self.refusal("::1", loopback) == nil)
        #expect(Self.refusal("10.0.0.1", loopback) != nil, "only what is listed opens")
        let byName = EgressPolicy(allowHosts: [try #require(HostRule("*.cams.example"))])
        #expect(byName.refusal(host: "edge.cams.example", addresses: [IPAddress("10.1.2.3")!]) == nil)
        #expect(byName.refusal(host: "cams.example", addresses: [IPAddress("10.1.2.3")!]) != nil, "*.domain names what is under it")
        let denying = EgressPolicy(allowHosts: [try #require(HostRule("10.0.0.0/8"))], denyHosts: [try #require(HostRule("10.9.0.0/16")), try #require(HostRule("evil.example"))])
        #expect(Self.refusal("10.1.0.1", denying) == nil)
        #expect(Self.refusal("10.9.0.1", denying)?.contains("deny_hosts") == true)
        #expect(denying.refusal(host: "EVIL.example.", addresses: [IPAddress("192.0.2.1")!])?.contains("deny_hosts") == true)
        // A name is judged by every address it resolves to: one internal address is enough to refuse.
        let mixed = EgressPolicy().refusal(host: "media.example", addresses: [IPAddress("192.0.2.1")!, IPAddress("127.0.0.1")!])
        #expect(mixed?.contains("media.example resolves to 127.0.0.1, a loopback address") == true, "\(mixed ?? "")")
    }

    @Test("ranges: prefixes mask the base; IPv4 and IPv6 never mix; bad text is refused")
    func ranges() throws {
        let network = try #require(IPNetwork("10.1.2.3/8"))
        #expect(network.description == "10.0.0.0/8")
        #expect(network.contains(IPAddress("10.200.0.1")!) && !network.contains(IPAddress("11.0.0.1")!))
        #expect(!network.contains(IPAddress("::a01:203")!))
        #expect(try #require(IPNetwork("fe80::/10")).contains(IPAddress("febf::1")!))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(IPAddress("203.0.113.9")!))
        for bad in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "300.1.1.1", "host/8"] {
            #expect(IPNetwork(bad) == nil, "\(bad)")
        }
        #expect(HostRule("Media.Example.") == .name("media.example"))
        #expect(HostRule("*.example") == .domain("example"))
        for bad in ["", "*", "a..b", "bad host", "*.*.x", "ex ample.com"] {
            #expect(HostRule(bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test("the config's egress section: rules parsed, a bad entry named")
    func config() throws {
        let base = "api_token: 0123456789abcdef0123\n"
        let config = try ConfigLoader.parse(base + "egress:\n  allow_hosts: [127.0.0.1, \"::1\", 10.0.0.0/8, cams.internal]\n  deny_hosts: [\"*.evil.example\"]\n")
        #expect(config.egress.allowHosts.map(\.description) == ["127.0.0.1/32", "::1/128", "10.0.0.0/8", "cams.internal"])
        #expect(config.egress.denyHosts == [.domain("evil.example")])
        #expect(try ConfigLoader.parse(base).egress == EgressPolicy())
        #expect {
            try ConfigLoader.parse(base + "egress:\n  allow_hosts: [10.0.0.0/40]\n")
        } throws: { error in
            "\(error)".contains("egress.allow_hosts") && "\(error)".contains("10.0.0.0/40")
        }
    }

    @Test("names resolve through the system resolver (localhost, from the hosts file); literals resolve to themselves")
    func resolver() async throws {
        let local = try await HostResolver.addresses(of: "localhost")
        #expect(!local.isEmpty && local.allSatisfy { EgressPolicy.internalRanges[1].network.contains($0) || $0 == IPAddress("::1")! }, "\(local)")
        #expect(try await HostResolver.addresses(of: "[::1]") == [IPAddress("::1")!])
        #expect(EgressPolicy().refusal(host: "localhost", addresses: local) != nil)
    }
}
