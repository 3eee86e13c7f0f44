import Foundation
import Testing
import VigilHash
import VigilMatch

@Suite("Bank files: the exchange ecosystem's exports (python-threatexchange)")
struct ExchangeFormatTests {
    static let md5 = "d41d8cd98f00b204e9800998ecf8427e"

    static func load(_ text: String, file: String = "export.csv", skipInvalid: Bool = false) throws -> BankLoadResult {
        try BankLoader.parse(data: Data(text.utf8), file: file, skipInvalid: skipInvalid)
    }

    @Test("dataset -P --csv: pdq rows are entries labelled by collab, video_md5 rows file digests, other types counted and skipped")
    func csvExport() throws {
        let bank = try Self.load("""
            signal_type,signal_str,collab,category,tags
            pdq,\(TestHashes.a),partner,INVESTIGATION_SEED,
            video_md5,\(Self.md5.uppercased()),partner,POSITIVE_CLASS,csam-adjacent spam
            raw_text,some words,partner,INVESTIGATION_SEED,
            url,http://example.invalid/x,partner,INVESTIGATION_SEED,
            pdq,\(TestHashes.b),benign-intros,NEGATIVE_CLASS,intro
            """).bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.b])
        #expect(bank.entries[0].label == "partner")
        #expect(bank.entries[0].metadata == ["category": "INVESTIGATION_SEED"])
        #expect(bank.entries[1].metadata == ["category": "NEGATIVE_CLASS", "tags": "intro"])
        let digest = try #require(bank.fileDigests[Self.md5])
        #expect(digest.label == "partner")
        #expect(digest.metadata["tags"] == "csam-adjacent spam")
        #expect(digest.sources == [SourceLocation(file: "export.csv", line: 3)])
        #expect(bank.stats.fileDigests == 1)
        #expect(bank.stats.skippedSignals == ["raw_text": 1, "url": 1])
    }

    @Test("the local-file exchange's `signal_type signal` lines")
    func localFileLines() throws {
        let bank = try Self.load("pdq \(TestHashes.a)\nvideo_md5 \(Self.md5)\nraw_text hello\n\(TestHashes.c)\n", file: "signals.txt").bank
        #expect(bank.entries.map(\.hash.hex) == [TestHashes.a, TestHashes.c])
        #expect(bank.fileDigests.keys.sorted() == [Self.md5])
        #expect(bank.stats.skippedSignals == ["raw_text": 1])
        #expect(!bank.stats.isEmpty)
    }

    @Test("a junk line in a plain list is still an error, not a skipped signal")
    func junkIsNotASignal() {
        #expect(throws: BankError.self) { try Self.load("\(TestHashes.a)\nhello world\n", file: "list.txt") }
    }

    @Test("a list of file digests alone is a bank, not an empty one")
    func digestsOnly() throws {
        let bank = try Self.load("video_md5 \(Self.md5)\n", file: "md5s.txt").bank
        #expect(bank.entries.isEmpty && bank.fileDigests.count == 1 && !bank.stats.isEmpty)
    }

    @Test("bad signals name the file, line and what is wrong", arguments: [
        ("signal_type,signal_str,collab,category,tags\npdq,abc,p,INVESTIGATION_SEED,\n", "export.csv:2:", "hash has 3 hex digits"),
        ("signal_type,signal_str,collab,category,tags\nvideo_md5,xyz,p,INVESTIGATION_SEED,\n", "export.csv:2:", "video_md5 \"xyz\" is not 32 hex digits"),
        ("signal_type,signal_str,collab,category,tags\npdq,\(TestHashes.a),p\n", "export.csv:2:", "row has 3 fields, the header has 5"),
        ("pdq \(TestHashes.a)\nvideo_md5 \(String(repeating: "g", count: 32))\n", "export.csv:2:", "is not 32 hex digits"),
        ("signal_type,signal_str,signal_type\npdq,\(TestHashes.a),pdq\n", "export.csv:1:", "more than once"),
    ])
    func hostile(_ text: String, _ line: String, _ message: String) {
        #expect {
            _ = try Self.load(text)
        } throws: { error in
            let description = "\(error)"
            return description.hasPrefix(line) && description.contains(message)
        }
    }

    @Test("NEGATIVE_CLASS entries and allow banks take no part in matching, but silence through nearestAllowed")
    func allowEntries() throws {
        let known = try PDQHash(hex: TestHashes.a)
        let benign = try PDQHash(hex: TestHashes.b)
        let bank = try Self.load("""
            signal_type,signal_str,collab,category,tags
            pdq,\(TestHashes.a),partner,INVESTIGATION_SEED,
            pdq,\(TestHashes.b),benign,NEGATIVE_CLASS,
            """).bank
        let matcher = BankMatcher(bank: bank)
        #expect(matcher.matches(for: known).count == 1)
        #expect(matcher.matches(for: benign).isEmpty)
        #expect(matcher.allowEntryCount == 1)
        #expect(matcher.nearestAllowed(TestHashes.flipped(benign, bits: 5))?.distance == 5)
        #expect(matcher.nearestAllowed(known) == nil || matcher.nearestAllowed(known)!.distance > 31)

        let allowBank = BankMatcher(bank: bank, role: .allow)
        #expect(allowBank.matches(for: known).isEmpty)
        #expect(allowBank.allowEntryCount == 2)
        #expect(allowBank.nearestAllowed(known)?.distance == 0)
        #expect(allowBank.nearestAllowed(known, quality: 10) == nil, "below the bank's quality floor")
    }

    @Test("a hash given both a known and a NEGATIVE_CLASS category is disputed: it stays a known entry")
    func disputed() throws {
        let bank = try Self.load("""
            signal_type,signal_str,collab,category,tags
            pdq,\(TestHashes.a),partner,INVESTIGATION_SEED,
            pdq,\(TestHashes.a),other,NEGATIVE_CLASS,
            """).bank
        let matcher = BankMatcher(bank: bank)
        #expect(matcher.allowEntryCount == 0)
        #expect(matcher.matches(for: try PDQHash(hex: TestHashes.a)).count == 1)
    }
}
