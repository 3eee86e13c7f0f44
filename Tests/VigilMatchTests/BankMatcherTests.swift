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

    /// `hash` with its lowest `bits` bits flipped.
    static func near(_ hash: PDQHash, bits: Int) -> PDQHash {
        var words = hash.words
        words.0 ^= (UInt64(1) << UInt64(bits)) - 1
        return PDQHash(words: words)
    }

    @Test("candidates reach the aligned threshold in a bank with videos, only the threshold in a bank of still images")
    func candidates() {
        var rng = SplitMix64(state: 11)
        let known = Self.hash(&rng)
        let video = BankVideo(id: "v", file: "v.txt", frames: [VideoFrameHash(hash: known, quality: 90, frameNumber: 0, timestampSeconds: 0)])
        let frame = BankEntry(hash: known, quality: 90, sources: [SourceLocation(file: "v.txt", line: 1)],
                              videoFrames: [VideoFrameRef(videoID: "v", frameNumber: 0, timestampSeconds: 0)])
        let videos = BankMatcher(bank: Bank(name: "videos", entries: [frame], videos: [video]))
        #expect(videos.candidateRadius == 44)
        #expect(videos.candidates(for: Self.near(known, bits: 40)).map(\.distance) == [40])
        #expect(videos.candidates(for: Self.near(known, bits: 45)).isEmpty)
        #expect(videos.matches(for: Self.near(known, bits: 40)).isEmpty, "a near miss is no match")
        #expect(videos.candidates(for: Self.near(known, bits: 40), quality: 49).isEmpty)
        let images = BankMatcher(bank: Bank(name: "images", entries: [BankEntry(hash: known, quality: 90)]))
        #expect(images.candidateRadius == 31)
        #expect(images.candidates(for: Self.near(known, bits: 40)).isEmpty)
        #expect(BankMatcher(bank: Bank(name: "videos", entries: [frame], videos: [video]), threshold: 20).candidateRadius == 33)
    }
}
