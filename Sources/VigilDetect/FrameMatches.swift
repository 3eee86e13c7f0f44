import VigilHash
import VigilMatch

/// A hashed frame and every bank entry near it, per bank and per dihedral variant.
///
/// Stateless and the expensive part of matching (index searches), so it is computed where the
/// frame is hashed, in parallel; ``DetectionState`` then takes it in frame order.
public struct FrameMatches: Sendable {
    /// The frame.
    public var frame: HashedFrame
    /// One element per bank, in the order of the matchers given.
    public var banks: [Bank]
    /// The allow entry that silenced this frame: it was no farther from the frame than any
    /// known entry, so the frame's matches and near misses were dropped. Nil when nothing was.
    public var suppressedBy: BankMatch?

    /// The matches in one bank.
    public struct Bank: Sendable {
        /// The bank as matched: its entries, threshold and video rule.
        public var matcher: BankMatcher
        /// Per variant (``HashedFrame/variants`` order), the entries within the threshold, nearest first.
        public var variants: [[BankMatch]]
        /// Per variant, the frames of known videos within the video rule's
        /// ``VideoMatchRule/alignedThreshold``, nearest first: the matches among them and the near
        /// misses that count only when several line up in time.
        public var videoCandidates: [[BankMatch]]
    }

    /// Searches every bank for every variant of `frame`.
    public init(_ frame: HashedFrame, matchers: [BankMatcher]) {
        self.frame = frame
        let hashes = frame.variants
        banks = matchers.map { matcher in
            let candidates = hashes.map { matcher.candidates(for: $0, quality: frame.quality) }
            return Bank(
                matcher: matcher, variants: candidates.map { $0.filter { $0.distance <= matcher.threshold } },
                videoCandidates: candidates.map { $0.filter { !$0.entry.videoFrames.isEmpty } })
        }
        suppressAllowed(matchers)
    }

    /// Drops every match and near miss when an allow entry is at least as near the frame (in any
    /// variant) as the nearest known entry: the frame shows something known to be benign.
    private mutating func suppressAllowed(_ matchers: [BankMatcher]) {
        // Without allow entries (the usual case) a frame costs nothing more here.
        guard matchers.contains(where: \.hasAllowEntries) else { return }
        let known = banks.flatMap { bank in bank.variants.joined().map(\.distance) + bank.videoCandidates.joined().map(\.distance) }.min()
        guard let known else { return }
        var nearest: BankMatch?
        for matcher in matchers where matcher.hasAllowEntries {
            for variant in frame.variants {
                guard let found = matcher.nearestAllowed(variant, quality: frame.quality) else { continue }
                if found.distance < nearest?.distance ?? .max { nearest = found }
            }
        }
        guard let nearest, nearest.distance <= known else { return }
        suppressedBy = nearest
        for index in banks.indices {
            banks[index].variants = banks[index].variants.map { _ in [] }
            banks[index].videoCandidates = banks[index].videoCandidates.map { _ in [] }
        }
    }

    /// Whether any variant came near any entry.
    public var isEmpty: Bool {
        banks.allSatisfy { $0.variants.allSatisfy(\.isEmpty) }
    }
}
