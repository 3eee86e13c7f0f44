import VigilHash

/// A loaded bank with its index and match settings: answers "which known entries is this hash near?".
///
/// Immutable, so it can be shared by concurrent tasks and replaced as a whole (``HotSwappable``)
/// when the bank is reloaded.
public struct BankMatcher: Sendable {
    /// The bank.
    public let bank: Bank
    /// The index over the entries that take part in matching: every entry of quality at least
    /// `minQuality` or without a quality.
    public let index: HashIndex
    /// For each hash in `index`, its position in `bank.entries`; nil when every entry takes part,
    /// so the positions are the same (and a plain list costs no second array).
    private let entryPositions: [UInt32]?
    /// Largest distance that counts as a match.
    public let threshold: Int
    /// Queries below this quality are not matched: flat frames hash alike whatever they show.
    public let minQuality: Int
    /// The video-level rule for this bank's threshold and quality settings.
    public let videoRule: VideoMatchRule
    /// What the bank is for. An allow bank's entries are all allow entries; a match bank's are
    /// those an exchange marked known benign (category `NEGATIVE_CLASS`).
    public let role: BankRole
    /// The index over the allow entries (none in ``index``), with their positions in
    /// `bank.entries`; nil when there are none.
    private let allowed: (index: HashIndex, positions: [UInt32])?
    /// How far ``candidates(for:quality:)`` searches: the rule's aligned threshold, or just the
    /// threshold for a bank without videos (still images have no order to line up with).
    public let candidateRadius: Int

    /// Indexes `bank` for queries at `threshold`.
    ///
    /// Entries whose recorded quality is below `minQuality` are left out of the index: a flat or
    /// dark known frame lies close to every other flat frame, so matching it raises false alerts
    /// (the video rule ignores such frames too). Entries without a quality are kept.
    ///
    /// `alignedThreshold` is the rule's ``VideoMatchRule/alignedThreshold`` (by default 13 bits
    /// past `threshold`).
    public init(bank: Bank, threshold: Int = 31, minQuality: Int = 50, alignedThreshold: Int? = nil, role: BankRole = .match) {
        self.bank = bank
        self.role = role
        let qualities = bank.entries.qualities
        let hashes = bank.entries.hashes
        let minimum = UInt8(clamping: minQuality)
        let lowQuality = { (position: Int) in qualities[position] != BankEntries.noQuality && qualities[position] < minimum }
        let allowPositions: [UInt32] = role == .allow
            ? hashes.indices.filter { !lowQuality($0) }.map { UInt32($0) }
            : bank.entries.positionsWithDetails.filter { !lowQuality(Int($0)) && bank.entries.isKnownBenign(Int($0)) }
        let allowSet = Set(allowPositions)
        let excluded = { (position: Int) in lowQuality(position) || role == .allow || allowSet.contains(UInt32(position)) }
        let positions: [UInt32]? = hashes.indices.contains(where: excluded)
            ? hashes.indices.filter { !excluded($0) }.map { UInt32($0) }
            : nil
        self.entryPositions = positions
        allowed = allowPositions.isEmpty ? nil : (HashIndex(HashColumn(allowPositions.lazy.map { hashes[Int($0)] }), designRadius: threshold), allowPositions)
        let rule = VideoMatchRule(frameThreshold: threshold, minQuality: minQuality, alignedThreshold: alignedThreshold)
        // Frame searches go out to the aligned threshold when there are videos to align with; the
        // index is laid out for that radius, the one nearly every search uses.
        let candidateRadius = bank.videos.isEmpty ? threshold : rule.alignedThreshold
        self.index = HashIndex(positions.map { HashColumn($0.lazy.map { hashes[Int($0)] }) } ?? hashes, designRadius: candidateRadius)
        self.threshold = threshold
        self.minQuality = minQuality
        self.candidateRadius = candidateRadius
        videoRule = rule
    }

    /// Whether the bank has allow entries.
    public var hasAllowEntries: Bool { allowed != nil }

    /// How many allow entries take part in matching.
    public var allowEntryCount: Int { allowed?.positions.count ?? 0 }

    /// The allow entry nearest `hash` within the threshold, if any; none when `quality` is below
    /// the minimum.
    public func nearestAllowed(_ hash: PDQHash, quality: Int = 100) -> BankMatch? {
        guard let allowed, quality >= minQuality else { return nil }
        return allowed.index.search(hash, radius: threshold).first.map { found in
            BankMatch(bank: bank.name, entry: bank.entries[Int(allowed.positions[found.entry])], distance: found.distance)
        }
    }

    /// The known file with this MD5 (lowercase hex), if any.
    public func fileMatch(md5: String) -> FileDigestEntry? {
        bank.fileDigests[md5]
    }

    /// The bank's entries within the threshold of `hash`, nearest first; none when `quality` is
    /// below the minimum.
    public func matches(for hash: PDQHash, quality: Int = 100) -> [BankMatch] {
        guard quality >= minQuality else { return [] }
        return search(hash, radius: threshold)
    }

    /// The bank's entries within ``candidateRadius`` of `hash`, nearest first; none when
    /// `quality` is below the minimum. Those within ``threshold`` are matches; the others are near
    /// misses, which only the video rule weighs, when several line up in time. One index search
    /// gives both.
    public func candidates(for hash: PDQHash, quality: Int = 100) -> [BankMatch] {
        guard quality >= minQuality else { return [] }
        return search(hash, radius: candidateRadius)
    }

    /// ``matches(for:quality:)`` for many hashes at once, cheaper per hash than one at a time
    /// (see ``HashIndex/search(_:radius:)-([PDQHash],_)``).
    public func matches(for hashes: [PDQHash]) -> [[BankMatch]] {
        index.search(hashes, radius: threshold).map { $0.map(bankMatch) }
    }

    private func search(_ hash: PDQHash, radius: Int) -> [BankMatch] {
        index.search(hash, radius: radius).map(bankMatch)
    }

    private func bankMatch(_ found: HashIndexMatch) -> BankMatch {
        let position = entryPositions.map { Int($0[found.entry]) } ?? found.entry
        return BankMatch(bank: bank.name, entry: bank.entries[position], distance: found.distance)
    }
}
