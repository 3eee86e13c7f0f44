import Foundation
import Testing
@testable import VigilDaemon

@Suite("Config: bank roles")
struct BankRoleConfigTests {
    static let head = "api_token: token-0123456789abcdef\n"

    @Test("role: allow and match are read; anything else is refused with the line")
    func roles() throws {
        let config = try ConfigLoader.parse(BankRoleConfigTests.head + """
            banks:
              - {name: known, path: /k}
              - {name: intros, path: /i, role: allow}
            """, environment: [:])
        #expect(config.banks.map(\.role) == [.match, .allow])
        #expect {
            _ = try ConfigLoader.parse(BankRoleConfigTests.head + "banks:\n  - {name: k, path: /k, role: ignore}\n", file: "vigil.yml", environment: [:])
        } throws: { "\($0)".contains("must be match or allow") && "\($0)".contains("vigil.yml") }
    }
}

@Suite("Stored bank specs")
struct StoredBankSpecTests {
    @Test("a spec stored before banks had roles reads as a match bank; a role survives a round trip")
    func roles() throws {
        let old = #"{"name":"k","paths":["/k"],"threshold":31,"minQuality":50,"origin":"api"}"#
        let spec = try JSONDecoder().decode(BankSpec.self, from: Data(old.utf8))
        #expect(spec.role == .match && spec.origin == .api)
        var allow = BankSpec(name: "i", paths: ["/i"], origin: .api)
        allow.role = .allow
        #expect(try JSONDecoder().decode(BankSpec.self, from: JSONEncoder().encode(allow)) == allow)
    }
}
