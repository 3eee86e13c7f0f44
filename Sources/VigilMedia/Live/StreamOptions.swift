/// Everything that shapes a ``StreamSession``.
public struct StreamOptions: Sendable, Equatable {
    /// Sampling mode, picture size limits and decoder threads. Streams default to
    /// ``SamplingMode/keyframes`` and one decoder thread each: many streams share the cores, and
    /// one thread per stream is the cheapest arrangement.
    public var media: MediaReaderOptions
    /// Key-frame gap fallback, scene changes, duplicate dropping, border cropping.
    public var policy: SamplingPolicy
    /// Deadlines; `nil` takes ``StreamTimeouts/defaults(for:)`` for the source's kind.
    public var timeouts: StreamTimeouts?
    /// Packet and memory limits.
    public var limits: StreamLimits
    /// Retries after the source is lost.
    public var reconnect: ReconnectPolicy
    /// Wall-clock seconds after which the session ends by itself; `nil` runs until stopped (or the
    /// source ends).
    public var maxDuration: Double?
    /// Frames held for a slow consumer. Live sources keep the freshest frames and count the
    /// others as dropped; files make the reader wait instead. The default of 4 holds the burst the
    /// key-frame gap fallback hands out when it starts (one sample per second of the 4 s gap it
    /// decodes after the fact). Each held 1080p frame is 6 MB, so with many streams this is also
    /// what bounds memory when hashing falls behind.
    public var frameBufferCapacity: Int
    /// Shrink sampled pictures so neither side exceeds this many pixels (keeping the aspect
    /// ratio) while converting them to RGB; `nil` keeps the decoded size. Perceptual hashes work on
    /// a small luma image anyway, so 512 or 1024 saves most of the conversion and hashing cost of
    /// high-resolution streams, at the price of hashes that differ slightly from full-size ones.
    public var sampleMaxDimension: Int?
    /// Files only: hand out one frame at a time and wait for ``StreamSession/acknowledge()`` before
    /// reading on. A consumer that steers sampling (``StreamSession/focus(_:)``) then sees its
    /// requests take effect from the very next picture, so a replay samples the same pictures on
    /// every run whatever the machine's speed. Live sources never wait for their consumer.
    public var acknowledgedHandOff: Bool
    /// Memory shared with other streams' readers: each connection reserves its estimate in it,
    /// and one that does not fit is refused (and retried, for a live source). `nil`: only
    /// ``StreamLimits/maxMemoryBytes`` applies.
    public var memoryBudget: MemoryBudget?
    /// Slots shared with other streams' readers for opening connections: each connection waits
    /// for one before its open and probe deadlines start. `nil`: connections open at once.
    public var connectionGate: ConnectionGate?
    /// Whether the reader's thread (and the decoder threads it starts) run at the lowest CPU
    /// priority, so that work which can wait (on-demand scans) never slows live streams.
    public var readsInBackground = false

    /// The deadlines for `source`: ``timeouts``, or the defaults for its kind.
    public func timeouts(for source: StreamSource) -> StreamTimeouts {
        timeouts ?? .defaults(for: source.kind)
    }

    /// Creates options with live-moderation defaults.
    public init(
        media: MediaReaderOptions = MediaReaderOptions(sampling: .keyframes, decoderThreads: 1),
        policy: SamplingPolicy = SamplingPolicy(),
        timeouts: StreamTimeouts? = nil,
        limits: StreamLimits = StreamLimits(),
        reconnect: ReconnectPolicy = ReconnectPolicy(),
        maxDuration: Double? = nil,
        frameBufferCapacity: Int = 4,
        sampleMaxDimension: Int? = nil,
        acknowledgedHandOff: Bool = false,
        memoryBudget: MemoryBudget? = nil,
        connectionGate: ConnectionGate? = nil
    ) {
        self.media = media
        self.policy = policy
        self.timeouts = timeouts
        self.limits = limits
        self.reconnect = reconnect
        self.maxDuration = maxDuration
        self.frameBufferCapacity = frameBufferCapacity
        self.sampleMaxDimension = sampleMaxDimension
        self.acknowledgedHandOff = acknowledgedHandOff
        self.memoryBudget = memoryBudget
        self.connectionGate = connectionGate
    }
}
