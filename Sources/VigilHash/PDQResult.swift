/// A PDQ hash with the quality score of the image it came from.
public struct PDQResult: Hashable, Sendable {
    /// The 256-bit hash.
    public var hash: PDQHash
    /// 0...100; below about 50 the image is too flat for its hash to be trusted.
    public var quality: Int

    /// Pairs a hash with its quality.
    public init(hash: PDQHash, quality: Int) {
        self.hash = hash
        self.quality = quality
    }
}

/// The hashes of an image's eight dihedral variants, in ``Dihedral`` order.
public struct PDQDihedralResult: Hashable, Sendable {
    /// Eight hashes, indexed by ``Dihedral/rawValue``.
    public var hashes: [PDQHash]
    /// Quality of the image (the same for every variant).
    public var quality: Int

    /// Pairs the eight variant hashes with their quality.
    public init(hashes: [PDQHash], quality: Int) {
        precondition(hashes.count == Dihedral.allCases.count, "a dihedral result holds eight hashes")
        self.hashes = hashes
        self.quality = quality
    }

    /// The hash of one variant.
    public subscript(_ symmetry: Dihedral) -> PDQHash {
        hashes[symmetry.rawValue]
    }
}

/// The float DCT block behind a PDQ hash, with quality.
public struct PDQFloatResult: Hashable, Sendable {
    /// 256 coefficients, row-major 16x16.
    public var coefficients: [Float]
    /// 0...100, as for ``PDQResult/quality``.
    public var quality: Int

    /// Pairs coefficients with their quality.
    public init(coefficients: [Float], quality: Int) {
        self.coefficients = coefficients
        self.quality = quality
    }
}
