/// How a ``StreamSession`` picks the pictures it hands out, on top of its ``SamplingMode``.
public struct SamplingPolicy: Sendable, Equatable {
    /// In ``SamplingMode/keyframes`` mode: when no decodable key picture has come for this many
    /// seconds, decode everything and sample every ``fallbackInterval`` until key frames return.
    /// `nil` turns the fallback off (and lets long-GOP and intra-refresh streams go unsampled).
    public var maxKeyframeGap: Double?
    /// Spacing of the samples taken while key frames are missing, in seconds of presentation time.
    public var fallbackInterval: Double
    /// Whether the fallback applies to files too. Off by default: files are hashed the way
    /// `vigil hash --keyframes` and the vPDQ references expect, whatever their GOP.
    public var fallbackOnFiles: Bool
    /// Also sample a picture when it differs from the previous decoded picture by more than this
    /// (mean difference of 16x16 luma thumbnails, 0 to 1; 0.1 to 0.3 suits cuts). `nil` is off.
    /// Turning it on decodes every frame, which costs several times more than key frames alone.
    public var sceneChangeThreshold: Double?
    /// Drop a sampled picture that is nearly identical to the previous one handed out, since
    /// matching it again finds nothing new. A still stream is still re-sampled every 30 s.
    public var dropNearDuplicates: Bool
    /// Largest 16x16 thumbnail cell difference (0 to 1) still counted as nearly identical. A cell
    /// maximum, not a mean, so a change confined to a small region is never dropped.
    public var nearDuplicateThreshold: Double
    /// Detect letterbox and pillarbox borders and hand out cropped copies of such pictures too,
    /// flagged with ``Frame/crop``: the content inside the borders, and boxes of the standard frame
    /// shapes around it (an original's own bars survive in one of them).
    public var detectBorders: Bool
    /// Detect a picture inset into the frame (picture-in-picture) and hand out a cropped copy of
    /// it too, flagged with ``Frame/crop``. Tried when no border is found.
    public var detectInsets: Bool
    /// Take focus requests (``StreamSession/focus(_:)``): in key-frame mode the reader keeps the
    /// current GOP's packets, so it can start decoding every picture at any moment.
    public var acceptsFocus: Bool
    /// What a sampled video picture becomes: the decoder's luma plane (``PictureFormat/luma8``,
    /// the default: no colour conversion, a third of the bytes to hash) or the bit-exact RGB
    /// picture of Meta's reference. Still images are always RGB, as image hash lists expect.
    public var pictureFormat: PictureFormat

    /// The key-frame gap after which sampling falls back, unless configured otherwise: two GOPs
    /// of the common 2 s.
    public static let defaultMaxKeyframeGap: Double = 4

    /// Exactly the pictures the sampling mode selects, as they are: no key-frame gap fallback, no
    /// scene cuts, no duplicate dropping, no crops, no focus, bit-exact RGB pictures. What
    /// `vigil hash` and the vPDQ reference expect.
    public static let exact = SamplingPolicy(
        maxKeyframeGap: nil, dropNearDuplicates: false, detectBorders: false, detectInsets: false, acceptsFocus: false,
        pictureFormat: .rgb24
    )

    /// Creates a policy; the defaults suit live moderation.
    public init(
        maxKeyframeGap: Double? = SamplingPolicy.defaultMaxKeyframeGap,
        fallbackInterval: Double = 1,
        fallbackOnFiles: Bool = false,
        sceneChangeThreshold: Double? = nil,
        dropNearDuplicates: Bool = true,
        nearDuplicateThreshold: Double = 0.03,
        detectBorders: Bool = true,
        detectInsets: Bool = true,
        acceptsFocus: Bool = true,
        pictureFormat: PictureFormat = .luma8
    ) {
        self.maxKeyframeGap = maxKeyframeGap
        self.fallbackInterval = fallbackInterval
        self.fallbackOnFiles = fallbackOnFiles
        self.sceneChangeThreshold = sceneChangeThreshold
        self.dropNearDuplicates = dropNearDuplicates
        self.nearDuplicateThreshold = nearDuplicateThreshold
        self.detectBorders = detectBorders
        self.detectInsets = detectInsets
        self.acceptsFocus = acceptsFocus
        self.pictureFormat = pictureFormat
    }
}
