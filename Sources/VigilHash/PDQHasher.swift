/// Computes PDQ hashes, bit-identical to Meta's reference implementation.
///
/// A hasher owns reusable working buffers, so hashing many frames of one size allocates nothing.
/// It is not thread-safe: give each concurrent worker its own hasher.
///
/// Images are hashed at full resolution, as the reference library does. Images with a side under
/// ``minimumDimension`` pixels get the zero hash and quality 0.
public final class PDQHasher {
    /// The smallest width and height PDQ hashes; smaller images get the zero hash and quality 0.
    public static let minimumDimension = 5

    private var downsampler = JaroszDownsampler()
    private var directDownsampler = DirectDownsampler()
    private let buffer64x64 = UnsafeMutablePointer<Float>.allocate(capacity: 64 * 64)
    private let buffer16x64 = UnsafeMutablePointer<Float>.allocate(capacity: 16 * 64)
    private let buffer16x16 = UnsafeMutablePointer<Float>.allocate(capacity: 16 * 16)
    private let buffer16x16Transformed = UnsafeMutablePointer<Float>.allocate(capacity: 16 * 16)

    /// How RGB input becomes luma (grey input is used as is).
    public let lumaPrecision: LumaPrecision

    /// Creates a hasher with empty working buffers.
    ///
    /// - Parameter lumaPrecision: `.double` (the default) reproduces the `pdqhash` binding used for
    ///   image hash lists; `.single` reproduces the C++ library and vPDQ.
    public init(lumaPrecision: LumaPrecision = .double) {
        self.lumaPrecision = lumaPrecision
    }

    deinit {
        buffer64x64.deallocate()
        buffer16x64.deallocate()
        buffer16x16.deallocate()
        buffer16x16Transformed.deallocate()
    }

    /// Hashes an image and scores its quality.
    ///
    /// - Parameter downsampling: `.exact` (the default) equals Meta's reference bit for bit.
    public func hash(_ image: PixelView, downsampling: PDQDownsampling = .exact) -> PDQResult {
        guard prepareDCT(image, allowUnfilteredShortcut: true, downsampling: downsampling) else {
            return PDQResult(hash: .zero, quality: 0)
        }
        return PDQResult(hash: Self.bits(of: buffer16x16), quality: quality)
    }

    /// Hashes an image and its seven rotations and mirror images from one DCT.
    public func dihedralHashes(_ image: PixelView, downsampling: PDQDownsampling = .exact) -> PDQDihedralResult {
        guard prepareDCT(image, allowUnfilteredShortcut: false, downsampling: downsampling) else {
            return PDQDihedralResult(hashes: Array(repeating: .zero, count: 8), quality: 0)
        }
        let hashes = Dihedral.allCases.map { symmetry in
            symmetry.transform(buffer16x16, into: buffer16x16Transformed)
            return Self.bits(of: buffer16x16Transformed)
        }
        return PDQDihedralResult(hashes: hashes, quality: quality)
    }

    /// The 16x16 DCT block behind the hash ("PDQF"), row-major, with the quality score.
    ///
    /// Useful where a finer similarity than Hamming distance is wanted (video features, clustering).
    public func float256(_ image: PixelView, downsampling: PDQDownsampling = .exact) -> PDQFloatResult {
        guard prepareDCT(image, allowUnfilteredShortcut: true, downsampling: downsampling) else {
            return PDQFloatResult(coefficients: Array(repeating: 0, count: 256), quality: 0)
        }
        return PDQFloatResult(
            coefficients: Array(UnsafeBufferPointer(start: buffer16x16, count: 256)), quality: quality)
    }

    private var quality = 0

    /// Downsamples, scores and transforms `image`, leaving the DCT in `buffer16x16`.
    /// Returns false for images too small to hash.
    ///
    /// The reference skips the blur for single hashes of exactly 64x64 input (already downsampled
    /// video frames) but not for dihedral hashes; `allowUnfilteredShortcut` mirrors that so both
    /// entry points match it.
    private func prepareDCT(_ image: PixelView, allowUnfilteredShortcut: Bool, downsampling: PDQDownsampling) -> Bool {
        guard image.width >= Self.minimumDimension, image.height >= Self.minimumDimension else {
            quality = 0
            return false
        }
        switch image.layout {
        case .rgb24 where lumaPrecision == .double:
            downsample(RGBDoubleLumaSource(image), allowUnfilteredShortcut: allowUnfilteredShortcut, downsampling)
        case .rgb24:
            downsample(RGBLumaSource(image), allowUnfilteredShortcut: allowUnfilteredShortcut, downsampling)
        case .grey8:
            downsample(GreyLumaSource(image), allowUnfilteredShortcut: allowUnfilteredShortcut, downsampling)
        }
        quality = pdqQuality(buffer64x64)
        dct64To16(buffer64x64, scratch: buffer16x64, into: buffer16x16)
        return true
    }

    private func downsample<Source: LumaSource>(
        _ source: Source, allowUnfilteredShortcut: Bool, _ downsampling: PDQDownsampling
    ) {
        if allowUnfilteredShortcut && source.width == 64 && source.height == 64 {
            for row in 0..<64 {
                for column in 0..<64 {
                    buffer64x64[row * 64 + column] = source.luma(row: row, column: column)
                }
            }
        } else if downsampling == .direct {
            directDownsampler.downsample(source, into: buffer64x64)
        } else {
            downsampler.downsample(source, into: buffer64x64)
        }
    }

    /// One bit per coefficient: set when above the block's median.
    private static func bits(of block: UnsafePointer<Float>) -> PDQHash {
        let median = torbenMedian(block, count: 256)
        var hash = PDQHash.zero
        for index in 0..<256 where block[index] > median {
            hash.setBit(index)
        }
        return hash
    }
}
