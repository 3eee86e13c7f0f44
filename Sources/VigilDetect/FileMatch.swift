import VigilMatch
import VigilMedia

/// An input whose bytes are exactly a known file: its MD5 equals a bank's `video_md5` entry.
public struct FileMatch: Sendable, Equatable {
    /// The bank holding the digest.
    public var bank: String
    /// The known file's entry.
    public var entry: FileDigestEntry

    /// Creates a match.
    public init(bank: String, entry: FileDigestEntry) {
        self.bank = bank
        self.entry = entry
    }

    /// The banks' known files with the same MD5 as `input`, when it is a local file and any bank
    /// holds file digests; the file is read on a thread of its own.
    public static func find(_ input: String, in matchers: [BankMatcher]) async throws -> [FileMatch] {
        guard matchers.contains(where: { !$0.bank.fileDigests.isEmpty }), let source = try? StreamSource(input),
              let path = source.filePath
        else { return [] }
        let md5 = try await FileDigest.md5(ofFile: path)
        return matchers.compactMap { matcher in matcher.fileMatch(md5: md5).map { FileMatch(bank: matcher.bank.name, entry: $0) } }
    }
}
