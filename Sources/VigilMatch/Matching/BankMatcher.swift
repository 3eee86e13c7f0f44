import VigilHash

/// A loaded bank with its index and match settings: answers "which known entries is this hash near?".
///
/// Immutable, so it can be shared by concurrent tasks and replaced as a whole (``HotSwappable``)
/// when the bank is reloaded.
public struct BankMatcher: Sendable {
    /// The bank.
    public let bank: Bank
    /// The index over `bank.entries`, entry for entry.
    public let index: HashIndex
    /// Largest distance that counts as a match.
    public let threshold: Int
    /// Queries below this quality are not matched: flat frames hash alike whatever they show.
    public let minQuality: Int

    /// Indexes `bank` for queries at `threshold`.
    public init(bank: Bank, threshold: Int = 31, minQuality: Int = 50) {
        self.bank = bank
        self.index = HashIndex(bank.entries.map(\.hash), designRadius: threshold)
        self.threshold = threshold
        self.minQuality = minQuality
    }

    /// The bank's entries within the threshold of `hash`, nearest first; none when `quality` is
    /// below the minimum.
    public func matches(for hash: PDQHash, quality: Int = 100) -> [BankMatch] {
        guard quality >= minQuality else { return [] }
        return index.search(hash, radius: threshold).map {
            BankMatch(bank: bank.name, entry: bank.entries[$0.entry], distance: $0.distance)
        }
    }

    /// The video-level rule for this bank's threshold and quality settings.
    public var videoRule: VideoMatchRule {
        VideoMatchRule(frameThreshold: threshold, minQuality: minQuality)
    }
}
