import VigilHash
import VigilMatch
import VigilMedia

/// A sampled frame's nearest match in one bank.
public struct FrameFinding: Sendable {
    /// The input (file, URL or stream id) the frame came from.
    public var input: String
    /// Presentation time in seconds.
    public var ptsSeconds: Double
    /// Whether the frame was a key frame.
    public var isKeyframe: Bool
    /// The frame's PDQ quality.
    public var quality: Int
    /// The frame's hash (of the variant that matched).
    public var hash: PDQHash
    /// Which rotation or mirror image of the frame matched; `.original` without dihedral queries.
    public var variant: Dihedral
    /// Set when the match is of the picture inside the frame's borders or inset.
    public var crop: CropRect?
    /// The nearest entry.
    public var match: BankMatch
    /// How many of the bank's entries are within the threshold of this variant.
    public var entriesWithinThreshold: Int
}
