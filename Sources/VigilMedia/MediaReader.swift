/// Blocking reader: owns the FFmpeg contexts for one input and decodes it frame by frame.
///
/// Not `Sendable`: create it and call ``nextFrame()`` on one thread. Only ``cancel()`` (or a
/// ``cancellationHandle``) may be used from elsewhere. For asynchronous code use ``FrameStream``,
/// which runs a reader on a dedicated thread.
public final class MediaReader {
    /// What was learned about the input while opening it.
    public let info: MediaInfo
    /// Packets of the selected video stream read from the input so far.
    public private(set) var packetsRead = 0
    /// Pictures the decoder produced so far, emitted or not.
    public private(set) var framesDecoded = 0
    /// Packets or pictures the decoder rejected and that were skipped.
    public private(set) var decodeErrors = 0

    private let url: String
    private let options: MediaReaderOptions
    private let limits: DimensionLimits
    private let cancellation: CancellationFlag
    private let format: FormatContext
    private let streamIndex: Int
    private let decoder: Decoder
    private let converter: RGBConverter
    private let packet: Packet
    private let decoded: DecodedFrame
    private var sampler: FrameSampler
    private var clock: PresentationClock
    private var state = State.reading
    /// The packet in `packet` was refused with EAGAIN and must be sent again.
    private var pendingPacket = false
    /// Set while the decoder is being drained after a key frame (key-frame sampling only).
    private var drainingKeyframe = false
    private var consecutiveDecodeErrors = 0
    private var consecutiveReadErrors = 0
    /// Deadlines for network inputs; files are read without any.
    private let liveTimeouts: StreamTimeouts?

    /// Consecutive failures with nothing decoded in between before the stream is given up on.
    private static let decodeErrorLimit = 64
    /// Consecutive corrupt reads tolerated before the input is treated as ending there.
    private static let readErrorLimit = 64

    private enum State {
        /// Reading packets and feeding the decoder.
        case reading
        /// Input exhausted and the decoder told to flush; `readFailure` is why reading stopped early.
        case draining(readFailure: AVFailure?)
        case finished
        case failed(MediaError)
    }

    /// Opens `url`, probes it, picks the best video stream, opens its decoder and checks the
    /// picture size against `options`, all before decoding a single picture.
    public convenience init(url: String, options: MediaReaderOptions = .init()) throws(MediaError) {
        try self.init(url: url, options: options, cancellation: CancellationFlag())
    }

    /// Opens a reader that also stops when `cancellation` is raised, which lets ``FrameStream``
    /// interrupt a reader that belongs to another thread.
    init(url: String, options: MediaReaderOptions, cancellation: CancellationFlag) throws(MediaError) {
        FFmpegLogging.silence()
        self.url = url
        self.options = options
        self.cancellation = cancellation
        limits = DimensionLimits(options)
        if cancellation.isCancelled { throw .cancelled(url: url) }

        // The scheme decides which protocols FFmpeg may touch; unknown schemes are refused here.
        let source = try StreamSource(url)
        let timeouts = StreamTimeouts.defaults(for: source.kind)
        let inputGuard = InputGuard(cancellation: cancellation, allowedProtocols: source.allowedProtocols)
        liveTimeouts = source.isLive ? timeouts : nil
        let format: FormatContext
        do {
            if source.isLive { inputGuard.setDeadline(secondsFromNow: timeouts.open) }
            format = try FormatContext(url: source.ffmpegURL, guard: inputGuard, options: source.ffmpegOptions(timeouts: timeouts))
            if source.isLive { inputGuard.setDeadline(secondsFromNow: timeouts.probe) }
            try format.findStreamInfo(maxPixels: options.maxPixels)
        } catch {
            if cancellation.isCancelled { throw .cancelled(url: url) }
            if inputGuard.deadlineExpired { throw .timedOut(url: url, operation: "opening", seconds: timeouts.open) }
            throw .openFailed(url: url, reason: error.message)
        }
        guard let index = format.bestVideoStreamIndex(), let stream = format.stream(at: index) else {
            throw .noVideoStream(url: url)
        }
        do {
            packet = try Packet()
            decoded = try DecodedFrame()
        } catch {
            throw .openFailed(url: url, reason: error.message)
        }
        if stream.width <= 0 || stream.height <= 0 {
            try Self.explainMissingSize(format: format, streamIndex: index, packet: packet, limits: limits, url: url)
        }
        try limits.check(width: stream.width, height: stream.height, url: url)

        let isStill = stream.isStillImage(formatName: format.formatName)
        let frameRate = stream.averageFrameRate.positiveValue ?? stream.baseFrameRate.positiveValue
        let duration = stream.duration.flatMap { ticks in
            stream.timeBase.positiveValue.map { Double(ticks) * $0 }
        } ?? format.durationSeconds
        info = MediaInfo(
            url: url, width: stream.width, height: stream.height, codecName: stream.codecName,
            frameRate: frameRate, durationSeconds: duration, isStillImage: isStill
        )

        let keyframesOnly = options.sampling == .keyframes
        do {
            decoder = try Decoder(
                format: format, streamIndex: index,
                configuration: .init(threads: options.decoderThreads, keyframesOnly: keyframesOnly, maxPixels: options.maxPixels)
            )
        } catch {
            switch error {
            case .noDecoder(let codecName):
                throw .unsupportedCodec(url: url, codec: codecName)
            case .failed(let failure):
                throw .openFailed(url: url, reason: "cannot open the \(stream.codecName) decoder: \(failure.message)")
            }
        }
        do {
            converter = try RGBConverter(profile: isStill ? .stillImage : .video)
        } catch {
            throw .openFailed(url: url, reason: error.message)
        }
        self.format = format
        streamIndex = index
        sampler = FrameSampler(mode: options.sampling, frameRate: frameRate)
        clock = PresentationClock(timeBase: stream.timeBase, startTime: stream.startTime, frameRate: frameRate)
    }

    /// Asks the reader to stop. Safe from any thread; blocking reads return promptly and the next
    /// (or current) ``nextFrame()`` throws ``MediaError/cancelled(url:)``.
    public func cancel() {
        cancellation.cancel()
    }

    /// A `Sendable` way to call ``cancel()`` from another thread or task.
    public var cancellationHandle: CancellationHandle {
        CancellationHandle(flag: cancellation)
    }

    /// Cancels one ``MediaReader`` from any thread.
    public struct CancellationHandle: Sendable {
        fileprivate let flag: CancellationFlag

        /// Same as ``MediaReader/cancel()``.
        public func cancel() {
            flag.cancel()
        }
    }

    /// Decodes until the next frame the sampling mode selects.
    ///
    /// Packets the decoder rejects are counted in ``decodeErrors`` and skipped. Returns `nil` once
    /// the input is exhausted and the decoder flushed; from then on it keeps returning `nil`. After
    /// an error it keeps throwing that error.
    ///
    /// - Throws: ``MediaError/noFrames(url:)`` when the input ends without a single decoded picture;
    ///   ``MediaError/cancelled(url:)`` after ``cancel()``; ``MediaError/readFailed(url:reason:)``
    ///   when reading stops on an I/O error, after the frames already decoded have been returned;
    ///   ``MediaError/decodeFailed(url:reason:)`` after 64 consecutive decoder failures or when a
    ///   picture cannot be converted; the size errors when a picture outgrows the limits midway.
    public func nextFrame() throws(MediaError) -> Frame? {
        switch state {
        case .finished: return nil
        case .failed(let error): throw error
        case .reading, .draining: break
        }
        do {
            let frame = try advance()
            if frame == nil { state = .finished }
            return frame
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private func advance() throws(MediaError) -> Frame? {
        while true {
            if cancellation.isCancelled { throw .cancelled(url: url) }
            switch decoder.receive(into: decoded) {
            case .done:
                consecutiveDecodeErrors = 0
                framesDecoded += 1
                defer { decoded.unref() }
                if let frame = try emitDecodedFrame() { return frame }
            case .tryAgain:
                if case .draining = state {
                    // A flushed decoder must end with EOF; wanting more input here would loop forever.
                    return try endOfStream(readFailure: nil)
                }
                try feedDecoder()
            case .endOfFile:
                if drainingKeyframe {
                    drainingKeyframe = false
                    decoder.flush()
                    if case .reading = state {
                        try feedDecoder()
                        continue
                    }
                }
                if case .draining(let readFailure) = state { return try endOfStream(readFailure: readFailure) }
                return try endOfStream(readFailure: nil)
            case .failed(let failure):
                try recordDecodeError(failure)
            }
        }
    }

    private func endOfStream(readFailure: AVFailure?) throws(MediaError) -> Frame? {
        if cancellation.isCancelled { throw .cancelled(url: url) }
        if let readFailure { throw .readFailed(url: url, reason: readFailure.message) }
        if framesDecoded == 0 { throw .noFrames(url: url) }
        return nil
    }

    /// Reads packets until one has been handed to the decoder, or flushes it at the end of input.
    private func feedDecoder() throws(MediaError) {
        while true {
            if cancellation.isCancelled { throw .cancelled(url: url) }
            if !pendingPacket {
                if let liveTimeouts { format.inputGuard.setDeadline(secondsFromNow: liveTimeouts.stall) }
                switch format.read(into: packet) {
                case .done:
                    consecutiveReadErrors = 0
                case .tryAgain:
                    continue
                case .endOfFile:
                    startDraining(readFailure: nil)
                    return
                case .failed(let failure):
                    if failure.isInterrupted, cancellation.isCancelled { throw .cancelled(url: url) }
                    if failure.isInterrupted, format.inputGuard.deadlineExpired, let liveTimeouts {
                        throw .stalled(url: url, seconds: liveTimeouts.stall)
                    }
                    consecutiveReadErrors += 1
                    // Corrupt stretches of a file are skipped; anything else (I/O errors, endless
                    // corruption) ends the input, though frames already in the decoder still come out.
                    if failure.isInvalidData, consecutiveReadErrors < Self.readErrorLimit { continue }
                    startDraining(readFailure: failure.isInvalidData ? nil : failure)
                    return
                }
                guard packet.streamIndex == streamIndex else {
                    packet.unref()
                    continue
                }
                packetsRead += 1
                if options.sampling == .keyframes, !packet.isKey {
                    packet.unref()
                    continue
                }
            }
            let result = decoder.send(packet)
            if result == .tryAgain {
                // The decoder has output waiting; keep the packet and send it after draining.
                pendingPacket = true
                return
            }
            pendingPacket = false
            packet.unref()
            switch result {
            case .done where options.sampling == .keyframes:
                // Key frames decode on their own, but the decoder would hold each one back for its
                // reordering delay (for H.264, until two more arrive: seconds on a live stream).
                // Draining after every key frame hands it out at once; the flush that follows
                // readies the decoder for the next one.
                _ = decoder.send(nil)
                drainingKeyframe = true
                return
            case .done, .tryAgain, .endOfFile:
                return
            case .failed(let failure):
                try recordDecodeError(failure)
                return
            }
        }
    }

    private func startDraining(readFailure: AVFailure?) {
        packet.unref()
        pendingPacket = false
        state = .draining(readFailure: readFailure)
        _ = decoder.send(nil)
    }

    private func recordDecodeError(_ failure: AVFailure) throws(MediaError) {
        decodeErrors += 1
        consecutiveDecodeErrors += 1
        if consecutiveDecodeErrors >= Self.decodeErrorLimit {
            throw .decodeFailed(
                url: url,
                reason: "\(consecutiveDecodeErrors) packets in a row failed to decode, last: \(failure.message)"
            )
        }
    }

    /// Applies the sampling rules to the picture in `decoded` and converts it if it is selected.
    private func emitDecodedFrame() throws(MediaError) -> Frame? {
        let seconds = clock.seconds(pts: decoded.bestEffortTimestamp, ordinal: sampler.decodedCount)
        guard let index = sampler.admit(ptsSeconds: seconds) else { return nil }
        let width = decoded.width
        let height = decoded.height
        try limits.check(width: width, height: height, url: url)
        let pixels: [UInt8]
        do {
            pixels = try converter.convert(decoded)
        } catch {
            switch error {
            case .unsupportedPixelFormat(let name):
                throw .decodeFailed(url: url, reason: "cannot convert pixel format \(name) to RGB")
            case .failed(let failure):
                throw .decodeFailed(url: url, reason: "RGB conversion failed: \(failure.message)")
            }
        }
        return Frame(
            index: index, ptsSeconds: seconds, isKeyframe: decoded.isKey,
            width: width, height: height, pixels: pixels
        )
    }

    /// FFmpeg reports 0x0 when its decoder refused the header while probing, typically because the
    /// declared size is absurd. Reads the header to report the real size, before any decoding.
    private static func explainMissingSize(
        format: FormatContext, streamIndex: Int, packet: Packet, limits: DimensionLimits, url: String
    ) throws(MediaError) {
        defer { packet.unref() }
        for _ in 0..<32 {
            guard format.read(into: packet) == .done else { break }
            if packet.streamIndex == streamIndex {
                if let size = ImageHeader.declaredSize(of: packet.prefix(64 * 1024)) {
                    try limits.check(width: size.width, height: size.height, url: url)
                }
                break
            }
            packet.unref()
        }
        throw .invalidDimensions(url: url, width: 0, height: 0)
    }
}

@available(*, unavailable, message: "MediaReader must stay on one thread; use FrameStream or cancellationHandle")
extension MediaReader: Sendable {}
