import VigilHash
import VigilMedia

/// The hash of one sampled frame: everything about it that Vigil keeps. Pixels are not kept.
struct HashedFrame: Sendable {
    var index: Int
    var ptsSeconds: Double
    var isKeyframe: Bool
    /// Where the picture inside letterbox or pillarbox borders sits, for the extra cropped copy of
    /// a frame; nil for whole frames.
    var crop: CropRect?
    var hash: PDQHash
    var quality: Int
    /// The seven other dihedral variants' hashes, when asked for (``Dihedral`` order, original first).
    var dihedral: [PDQHash]?

    /// Hashes `frame` with a hasher from `pool`.
    init(_ frame: Frame, pool: HasherPool, dihedral wantsDihedral: Bool) {
        index = frame.index
        ptsSeconds = frame.ptsSeconds
        isKeyframe = frame.isKeyframe
        crop = frame.crop
        let result: (PDQHash, Int, [PDQHash]?) = frame.pixels.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return (.zero, 0, nil) }
            let view = PixelView(base: base, width: frame.width, height: frame.height)
            return pool.withHasher { hasher in
                if wantsDihedral {
                    let all = hasher.dihedralHashes(view)
                    return (all[.original], all.quality, all.hashes)
                }
                let single = hasher.hash(view)
                return (single.hash, single.quality, nil)
            }
        }
        (hash, quality, dihedral) = result
    }
}
