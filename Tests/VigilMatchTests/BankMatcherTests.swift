import Testing
import VigilHash
import VigilMatch
import VigilTestSupport

@Suite("BankMatcher")
struct BankMatcherTests {
    static func hash(_ rng: inout SplitMix64) -> PDQHash {
        PDQHash(words: (rng.next(), rng.next(), rng.next(), rng.next()))
    }

    @Test("low-quality bank entries take no part in frame matching; entries without quality do")
    func lowQualityEntriesAreNotMatched() {
        var rng = SplitMix64(state: 9)
        let (good, flat, unknown) = (Self.hash(&rng), Self.hash(&rng), Self.hash(&rng))
        let bank = Bank(name: "b", entries: [
            BankEntry(hash: good, ids: ["good"], quality: 90),
            BankEntry(hash: flat, ids: ["flat"], quality: 10),
            BankEntry(hash: unknown, ids: ["unknown"]),
        ])
        let matcher = BankMatcher(bank: bank, threshold: 31, minQuality: 50)
        #expect(matcher.matches(for: good).map(\.entry.reference) == ["good"])
        #expect(matcher.matches(for: flat).isEmpty)
        #expect(matcher.matches(for: unknown).map(\.entry.reference) == ["unknown"])
        #expect(BankMatcher(bank: bank, minQuality: 0).matches(for: flat).map(\.entry.reference) == ["flat"])
    }

    @Test("low-quality queries are not matched")
    func lowQualityQueries() {
        var rng = SplitMix64(state: 10)
        let good = Self.hash(&rng)
        let matcher = BankMatcher(bank: Bank(name: "b", entries: [BankEntry(hash: good, quality: 100)]))
        #expect(matcher.matches(for: good, quality: 49).isEmpty)
        #expect(matcher.matches(for: good, quality: 50).count == 1)
    }
}
