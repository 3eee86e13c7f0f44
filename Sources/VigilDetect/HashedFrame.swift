import VigilHash
import VigilMedia

/// The hash of one sampled picture: everything about it that Vigil keeps. Pixels are not kept.
///
/// The one frame-and-hash type of the pipeline: `vigil hash` writes it, and `vigil scan` and the
/// daemon match it through ``DetectionState``.
public struct HashedFrame: Sendable {
    /// The frame's number in its input (see `Frame.index`).
    public var index: Int
    /// Presentation time in seconds.
    public var ptsSeconds: Double
    /// Whether the decoder marked the frame as a key frame.
    public var isKeyframe: Bool
    /// Where the picture inside letterbox or pillarbox borders (or an inset) sits, for the extra
    /// cropped copy of a frame; nil for whole frames.
    public var crop: CropRect?
    /// The PDQ hash of the picture as it is.
    public var hash: PDQHash
    /// PDQ quality, 0...100.
    public var quality: Int
    /// All eight dihedral variants' hashes (``Dihedral`` order, original first), when asked for.
    public var dihedral: [PDQHash]?

    /// Creates a hashed frame from its parts.
    public init(
        index: Int, ptsSeconds: Double, isKeyframe: Bool, crop: CropRect? = nil, hash: PDQHash, quality: Int,
        dihedral: [PDQHash]? = nil
    ) {
        self.index = index
        self.ptsSeconds = ptsSeconds
        self.isKeyframe = isKeyframe
        self.crop = crop
        self.hash = hash
        self.quality = quality
        self.dihedral = dihedral
    }

    /// Hashes `frame` with `hasher`, and its dihedral variants when `wantsDihedral`.
    public init(_ frame: Frame, hasher: PDQHasher, dihedral wantsDihedral: Bool = false) {
        let result: (PDQHash, Int, [PDQHash]?) = frame.pixels.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (.zero, 0, nil) }
            // A decoder's luma plane is not the reference's RGB luma to begin with, so its
            // pictures take the direct downsampling; RGB pictures stay bit-exact.
            let isLuma = frame.format == .luma8
            let view = PixelView(base: base, width: frame.width, height: frame.height, layout: isLuma ? .grey8 : .rgb24)
            let downsampling: PDQDownsampling = isLuma ? .direct : .exact
            if wantsDihedral {
                let all = hasher.dihedralHashes(view, downsampling: downsampling)
                return (all[.original], all.quality, all.hashes)
            }
            let single = hasher.hash(view, downsampling: downsampling)
            return (single.hash, single.quality, nil)
        }
        self.init(
            index: frame.index, ptsSeconds: frame.ptsSeconds, isKeyframe: frame.isKeyframe, crop: frame.crop,
            hash: result.0, quality: result.1, dihedral: result.2)
    }

    /// Hashes `frame` with a hasher borrowed from `pool`.
    public init(_ frame: Frame, pool: HasherPool, dihedral wantsDihedral: Bool = false) {
        self = pool.withHasher { HashedFrame(frame, hasher: $0, dihedral: wantsDihedral) }
    }

    /// The hashes that are matched: every dihedral variant when they were computed, else the one.
    public var variants: [PDQHash] { dihedral ?? [hash] }
}
