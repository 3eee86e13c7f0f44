import VigilHash
import VigilMatch
import VigilMedia

/// A sampled frame's nearest match in one bank.
struct FrameFinding: Sendable {
    var input: String
    var ptsSeconds: Double
    var isKeyframe: Bool
    var quality: Int
    /// The frame's hash (of the variant that matched).
    var hash: PDQHash
    /// Which rotation or mirror image of the frame matched; `.original` without `--dihedral`.
    var variant: Dihedral
    /// Set when the match is of the picture inside the frame's letterbox or pillarbox borders.
    var crop: CropRect?
    /// The nearest entry.
    var match: BankMatch
    /// How many of the bank's entries are within the threshold of this variant.
    var entriesWithinThreshold: Int
}
