/// How a ``MediaReader`` decodes its input.
public struct MediaReaderOptions: Sendable, Equatable {
    /// Which frames to emit.
    public var sampling: SamplingMode
    /// Largest accepted width or height. Streams beyond it are refused before any picture is decoded,
    /// so a hostile header cannot make the reader allocate a huge frame.
    public var maxDimension: Int
    /// Largest accepted `width * height`, checked like ``maxDimension``.
    public var maxPixels: Int
    /// Decoder threads; 0 lets FFmpeg choose from the number of cores.
    public var decoderThreads: Int

    /// Creates options; the defaults suit batch hashing of files.
    public init(
        sampling: SamplingMode = .keyframes,
        maxDimension: Int = 16384,
        maxPixels: Int = 8192 * 8192,
        decoderThreads: Int = 0
    ) {
        self.sampling = sampling
        self.maxDimension = maxDimension
        self.maxPixels = maxPixels
        self.decoderThreads = decoderThreads
    }
}
