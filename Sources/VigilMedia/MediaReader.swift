import Foundation

/// The one reader of Vigil: opens a file or one connection to a live source under deadlines and
/// the protocol whitelist, reads its video packets, decodes what the sampling rules need, and
/// turns the chosen pictures into ``Frame``s.
///
/// Blocking and confined to one thread: ``StreamSession`` runs one per connection on its own
/// thread, which is how the daemon, `vigil scan` and `vigil hash` all read. On its own, opened with
/// ``init(url:options:)``, it reads a file exactly (``SamplingPolicy/exact``): every picture the
/// sampling mode selects and nothing else, as the vPDQ reference hashes them. Only ``cancel()``
/// (or a ``cancellationHandle``) may be used from another thread.
///
/// What must outlive a connection (timeline, counters, the last picture handed out) lives in the
/// shared ``SamplingContext``.
public final class MediaReader {
    /// What was learned about the input while opening it.
    public let info: MediaInfo
    /// Whether any video packet has been read on this connection.
    private(set) var receivedPackets = false

    private let source: StreamSource
    private let options: StreamOptions
    private let timeouts: StreamTimeouts
    private let context: SamplingContext
    private let inputGuard: InputGuard
    private let limits: DimensionLimits
    /// Monotonic time at which the session must end, if it has a maximum duration.
    private let sessionEnd: Double?
    private let format: FormatContext
    private let streamIndex: Int
    private var decoder: Decoder
    private let converter: PictureConverter
    private let packet: Packet
    private let decoded: DecodedFrame
    /// Seconds per tick of the video stream's time base.
    private let secondsPerTick: Double?
    private let frameRate: Double?

    /// Whether every packet is decoded (fallback, scene detection, or a mode that needs it);
    /// published in the counters, where an ingest process's parent sizes its reservation from it.
    private var decodesEverything: Bool {
        didSet { context.counters.update { $0.decodesEveryPicture = decodesEverything } }
    }
    /// Key-frame gap watch; `nil` when the fallback does not apply.
    private var gap: KeyframeGapTracker?
    /// Whether the current GOP's packets are kept while decoding key frames only, so that decoding
    /// every picture can start at any moment (gap fallback, focus).
    private let keepsPackets: Bool
    private var buffer: PacketBuffer
    /// Whether `buffer` starts at a key picture that decodes on its own, so replaying it works.
    private var bufferStartsAtIntraKey = false
    /// Whether every picture is decoded because of a focus request.
    private var focusDecoding = false
    /// Set while decoding when the last focus time has been sampled; acted on before the next
    /// packet, once the consumer has had its say.
    private var focusEnded = false
    private var arrivals = ArrivalLog()
    private var pending: [Frame] = []
    private var lastVideoPacket: Double
    /// When the decoder last gave a picture (or the connection opened).
    private var lastPicture: Double
    /// Raw time of the last picture handed out on this connection; replayed pictures up to it are skipped.
    private var lastEmittedRaw: Double?
    private var skipReplayedUpTo: Double?
    /// Bytes this reader holds of ``StreamOptions/memoryBudget``, given back when it goes.
    private var reservedBytes = 0
    /// Set while decoding when key frames are back, acted on between packets.
    private var keyframesReturned = false
    /// Whether the last packet decoded into a key picture that stands on its own.
    private var decodedIntraKey = false
    private var previousSceneThumbnail: Thumbnail?
    private var pictureSize: (width: Int, height: Int)?
    private var picturesDecoded = 0
    private var consecutiveDecodeErrors = 0
    private var consecutiveReadErrors = 0
    private var state = State.reading
    /// Why a file's reading stopped early, reported once its decoded pictures are out.
    private var readFailure: MediaError?

    private enum State {
        case reading
        /// The input is exhausted; what is pending is handed out, then `failure` (if any) is thrown.
        case ended(failure: MediaError?)
        case failed(MediaError)
    }

    private static let decodeErrorLimit = 64
    private static let readErrorLimit = 64

    /// Opens `url` for exact reading on the calling thread: probes it, picks the best video
    /// stream, opens its decoder and checks the picture size against `options`, all before
    /// decoding a single picture.
    ///
    /// - Throws: ``MediaError/unsupportedSource(url:reason:)`` for an unknown scheme, and the
    ///   opening, probing and size errors.
    public convenience init(url: String, options: MediaReaderOptions = .init()) throws(MediaError) {
        try self.init(url: url, options: options, cancellation: CancellationFlag())
    }

    /// Opens a reader that also stops when `cancellation` is raised.
    convenience init(url: String, options: MediaReaderOptions, cancellation: CancellationFlag) throws(MediaError) {
        let source = try StreamSource(url)
        let streamOptions = StreamOptions(media: options, policy: .exact)
        try self.init(
            source: source, options: streamOptions, timeouts: .defaults(for: source.kind),
            context: SamplingContext(policy: .exact, counters: CounterStore(), isLive: source.isLive),
            cancellation: cancellation, sessionEnd: nil
        )
    }

    /// Opens and probes `source`, each step under its deadline.
    init(
        source: StreamSource, options: StreamOptions, timeouts: StreamTimeouts, context: SamplingContext,
        cancellation: CancellationFlag, sessionEnd: Double?
    ) throws(MediaError) {
        FFmpegLogging.silence()
        self.source = source
        self.options = options
        self.timeouts = timeouts
        self.context = context
        self.sessionEnd = sessionEnd
        limits = DimensionLimits(options.media)
        let url = source.url
        let counters = context.counters
        let inputGuard = InputGuard(
            cancellation: cancellation, allowedProtocols: source.allowedProtocols,
            onRefusal: { counters.refused($0) }
        )
        self.inputGuard = inputGuard
        if cancellation.isCancelled { throw .cancelled(url: url) }
        let gate = options.connectionGate
        if let gate, !gate.enter(cancellation: cancellation, deadline: sessionEnd) {
            if cancellation.isCancelled { throw .cancelled(url: url) }
            throw .timedOut(url: url, operation: "waiting for a connection slot", seconds: 0)
        }
        // The slot is held through opening and probing, the steps that cost CPU and deadlines.
        defer { gate?.leave() }

        let format: FormatContext
        inputGuard.setDeadline(secondsFromNow: Self.bounded(timeouts.open, by: sessionEnd))
        do {
            format = try FormatContext(url: source.ffmpegURL, guard: inputGuard, options: source.ffmpegOptions(timeouts: timeouts))
        } catch {
            // FFmpeg refuses a container off `format_whitelist` with EINVAL.
            if error.code == AVFailure.invalidArgument.code, let allowed = source.allowedFormats {
                throw .unsupportedFormat(url: url, format: "outside \(allowed.sorted().joined(separator: ", "))", kind: source.kind.rawValue)
            }
            throw Self.classify(error, operation: "opening", seconds: timeouts.open, guard: inputGuard, url: url)
        }
        guard source.accepts(format: format.formatName) else {
            throw .unsupportedFormat(url: url, format: format.formatName, kind: source.kind.rawValue)
        }
        inputGuard.setDeadline(secondsFromNow: Self.bounded(timeouts.probe, by: sessionEnd))
        do {
            try format.findStreamInfo(maxPixels: options.media.maxPixels, probeBytes: source.probeBytes)
        } catch {
            throw Self.classify(error, operation: "probing", seconds: timeouts.probe, guard: inputGuard, url: url)
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
        let pictureFormat = isStill ? PictureFormat.rgb24 : context.policy.pictureFormat
        try Self.checkMemoryLimit(width: stream.width, height: stream.height, format: pictureFormat, options: options, url: url)
        do {
            converter = try PictureConverter(format: pictureFormat, profile: isStill ? .stillImage : .video)
        } catch {
            throw .openFailed(url: url, reason: error.message)
        }

        let frameRate = stream.averageFrameRate.positiveValue ?? stream.baseFrameRate.positiveValue
        let secondsPerTick = stream.timeBase.positiveValue
        self.frameRate = frameRate
        self.secondsPerTick = secondsPerTick
        let duration = stream.duration.flatMap { ticks in secondsPerTick.map { Double(ticks) * $0 } } ?? format.durationSeconds
        info = MediaInfo(
            url: url, width: stream.width, height: stream.height, codecName: stream.codecName,
            frameRate: frameRate, durationSeconds: duration, isStillImage: isStill, byteSize: format.byteSize
        )

        let policy = context.policy
        let sampling = options.media.sampling
        let keyframeSampling = sampling == .keyframes
        let fallbackApplies = keyframeSampling && (source.isLive || policy.fallbackOnFiles)
        if fallbackApplies, let maxGap = policy.maxKeyframeGap, maxGap > 0 {
            gap = KeyframeGapTracker(maxGap: maxGap, frameRate: frameRate)
        }
        let decodesAll = !keyframeSampling || policy.sceneChangeThreshold != nil
        decodesEverything = decodesAll
        context.counters.update { $0.decodesEveryPicture = decodesAll }
        keepsPackets = keyframeSampling && (gap != nil || policy.acceptsFocus)
        buffer = PacketBuffer(byteLimit: options.limits.maxBufferedPacketBytes)
        decoder = try Self.openDecoder(
            format: format, streamIndex: index, options: options, keyframesOnly: !decodesEverything,
            lowLatency: source.isLive, codecName: stream.codecName, allowedCodecs: source.allowedVideoCodecs, url: url
        )
        self.format = format
        streamIndex = index
        lastVideoPacket = MonotonicClock.seconds()
        lastPicture = lastVideoPacket
        // Last, so that no later failure leaves a reservation behind.
        try reserveMemory(memoryNeeded(width: stream.width, height: stream.height))
    }

    deinit {
        if reservedBytes > 0 { options.memoryBudget?.release(reservedBytes) }
    }

    /// Asks the reader to stop. Safe from any thread; blocking reads return promptly and the next
    /// (or current) ``nextFrame()`` throws ``MediaError/cancelled(url:)``.
    public func cancel() {
        inputGuard.cancellation.cancel()
    }

    /// A `Sendable` way to call ``cancel()`` from another thread or task.
    public var cancellationHandle: CancellationHandle {
        CancellationHandle(flag: inputGuard.cancellation)
    }

    /// Cancels one ``MediaReader`` from any thread.
    public struct CancellationHandle: Sendable {
        fileprivate let flag: CancellationFlag

        /// Same as ``MediaReader/cancel()``.
        public func cancel() {
            flag.cancel()
        }
    }

    /// What this reader (and the session it belongs to) has done so far.
    public var counters: StreamCounters { context.counters.snapshot }

    /// The next sampled frame (or cropped copy of one); `nil` once the input ends, and from then on.
    ///
    /// After an error it keeps throwing that error.
    ///
    /// - Throws: ``MediaError/noFrames(url:)`` when a file ends without a single decoded picture;
    ///   ``MediaError/readFailed(url:reason:)`` when a file's reading stops on an I/O error, after
    ///   the pictures already decoded have been handed out; ``MediaError/stalled(url:seconds:)``
    ///   when the stall watchdog fires on a live source; ``MediaError/timedOut(url:operation:seconds:)``
    ///   when the session's end interrupts a read; ``MediaError/cancelled(url:)``; decode failures
    ///   after 64 in a row; and the limit errors.
    public func nextFrame() throws(MediaError) -> Frame? {
        do throws(MediaError) {
            while pending.isEmpty {
                switch state {
                case .failed(let error):
                    throw error
                case .ended(let failure):
                    guard let failure else { return nil }
                    throw failure
                case .reading:
                    if try readVideoPacket() {
                        try handlePacket()
                    } else {
                        try endInput()
                    }
                }
            }
            return pending.removeFirst()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// The input ran out (or a file's reading failed): flush the decoder, then end.
    private func endInput() throws(MediaError) {
        let failure = readFailure
        drainAtEnd()
        if inputGuard.cancellation.isCancelled { throw .cancelled(url: source.url) }
        if failure == nil, !source.isLive, picturesDecoded == 0 {
            state = .ended(failure: .noFrames(url: source.url))
        } else {
            state = .ended(failure: failure)
        }
    }

    // MARK: Reading

    /// Reads until a packet of the video stream is in `packet`; `false` at the end of input.
    private func readVideoPacket() throws(MediaError) -> Bool {
        let url = source.url
        while true {
            if inputGuard.cancellation.isCancelled { throw .cancelled(url: url) }
            let now = MonotonicClock.seconds()
            // A file never stalls: time the reader spent waiting for a slow consumer is not silence.
            if !source.isLive { lastVideoPacket = now }
            let stallLeft = lastVideoPacket + timeouts.stall - now
            if stallLeft <= 0 { throw .stalled(url: url, seconds: timeouts.stall) }
            inputGuard.setDeadline(secondsFromNow: Self.bounded(stallLeft, by: sessionEnd))
            switch format.read(into: packet) {
            case .done:
                consecutiveReadErrors = 0
                guard packet.streamIndex == streamIndex else {
                    packet.unref()
                    continue
                }
                guard try acceptVideoPacket() else { continue }
                return true
            case .tryAgain:
                // Some network demuxers report "no data yet" instead of blocking; wait a moment.
                usleep(5_000)
            case .endOfFile:
                // Demuxers reading through nested I/O (HLS) report an interrupted read as the end.
                if inputGuard.cancellation.isCancelled { throw .cancelled(url: url) }
                if inputGuard.deadlineExpired { throw interruptedRead() }
                return false
            case .failed(let failure):
                if inputGuard.cancellation.isCancelled { throw .cancelled(url: url) }
                if failure.isInterrupted || inputGuard.deadlineExpired { throw interruptedRead() }
                consecutiveReadErrors += 1
                if failure.isInvalidData, consecutiveReadErrors < Self.readErrorLimit { continue }
                if !source.isLive {
                    // A file ends where it stops making sense; an I/O error is reported, but only
                    // after the pictures still in the decoder have been handed out.
                    if !failure.isInvalidData { readFailure = .readFailed(url: url, reason: failure.message) }
                    return false
                }
                if MonotonicClock.seconds() - lastVideoPacket >= timeouts.stall {
                    throw .stalled(url: url, seconds: timeouts.stall)
                }
                throw .readFailed(url: url, reason: failure.message)
            }
        }
    }

    /// Why a read was cut short by its deadline: the session's end, or a stall.
    private func interruptedRead() -> MediaError {
        if let sessionEnd, MonotonicClock.seconds() >= sessionEnd {
            return .timedOut(url: source.url, operation: "reading", seconds: 0)
        }
        return .stalled(url: source.url, seconds: timeouts.stall)
    }

    /// Counts and vets the video packet just read; false when it is skipped. A packet over the
    /// size limit fails a file, and is skipped (and counted) in a live stream, whose sender must
    /// not be able to end watching with one.
    private func acceptVideoPacket() throws(MediaError) -> Bool {
        receivedPackets = true
        let now = MonotonicClock.seconds()
        lastVideoPacket = now
        // Packets that never make a picture: the sender switched to something the decoder reads
        // as noise (a new codec the demuxer did not announce). Reconnecting probes it afresh.
        if let drought = pictureDroughtLimit, now - lastPicture >= drought {
            throw .decodeFailed(
                url: source.url, reason: "no picture decoded from \(Int(drought)) s of video packets (did the stream change codec?)")
        }
        let size = packet.size
        let isKey = packet.isKey
        context.counters.update { counters in
            counters.packets += 1
            counters.bytes += size
            if isKey { counters.keyframes += 1 }
        }
        if size > options.limits.maxPacketBytes {
            packet.unref()
            guard source.isLive else { throw .packetTooLarge(url: source.url, bytes: size, limit: options.limits.maxPacketBytes) }
            context.counters.update { $0.oversizedPackets += 1 }
            return false
        }
        arrivals.record(timestamp: packet.bestTimestamp, arrival: .init(monotonic: now, date: Date()))
        return true
    }

    // MARK: Decoding

    private func handlePacket() throws(MediaError) {
        defer { packet.unref() }
        try followCodecChanges()
        collectFocusRequests()
        if focusEnded { try endFocus() }
        let raw = seconds(packet.bestTimestamp)
        let isKey = packet.isKey

        guard !decodesEverything else {
            try decodeInSequence(packet)
            if var tracker = gap {
                if tracker.packetArrived(raw: raw), !tracker.inFallback {
                    tracker.enterFallback()
                    context.counters.update { $0.keyframeFallbacks += 1 }
                }
                gap = tracker
            }
            if keyframesReturned { try returnToKeyframes(raw: raw) }
            return
        }

        var copy: Packet?
        if keepsPackets {
            do {
                copy = try packet.clone()
            } catch {
                throw .decodeFailed(url: source.url, reason: "cannot buffer a packet: \(error.message)")
            }
        }
        decodedIntraKey = false
        if isKey { try decodeAlone(packet) }
        if let copy {
            // Only a packet that decoded into a whole picture is a safe place to start over: a
            // recovery point of an intra-refresh stream needs the packets before it.
            if decodedIntraKey {
                buffer.restart(with: copy)
                bufferStartsAtIntraKey = true
            } else {
                buffer.append(copy)
            }
        }
        if context.focus.isActive, bufferStartsAtIntraKey, !buffer.isFull {
            return try startFocus()
        }
        guard var tracker = gap else { return }
        let exceeded = tracker.packetArrived(raw: raw)
        gap = tracker
        if exceeded || buffer.isFull { try fallBack() }
    }

    /// Decodes one key packet by itself and drains the decoder, so its picture comes out now
    /// rather than after the decoder's reorder delay (which, fed only key frames, is a whole GOP).
    private func decodeAlone(_ packet: Packet) throws(MediaError) {
        try send(packet)
        _ = decoder.send(nil)
        try receiveAll(untilEnd: true)
        // Flushed, not opened afresh: a flushed decoder keeps the parameter sets it has seen, and
        // a stream that sends them once (and never before a later key frame) stays decodable. A
        // live decoder's pictures are not pooled, so nothing full-size stays between key frames.
        decoder.flush()
        // A live stream's key frames come seconds apart: holding a full-size picture in between,
        // per stream, would dominate the memory of many idle-looking streams. A file's come at once.
        if source.isLive { converter.releaseScratch() }
    }

    /// Decodes a packet as part of the continuous sequence.
    private func decodeInSequence(_ packet: Packet) throws(MediaError) {
        try send(packet)
        try receiveAll(untilEnd: false)
    }

    private func send(_ packet: Packet) throws(MediaError) {
        var result = decoder.send(packet)
        if result == .tryAgain {
            // The decoder has output waiting; take it, then the packet fits.
            try receiveAll(untilEnd: false)
            result = decoder.send(packet)
        }
        if case .failed(let failure) = result { try recordDecodeError(failure) }
    }

    private func receiveAll(untilEnd: Bool) throws(MediaError) {
        while true {
            switch decoder.receive(into: decoded) {
            case .done:
                consecutiveDecodeErrors = 0
                defer { decoded.unref() }
                try consider()
            case .tryAgain:
                return
            case .endOfFile:
                return
            case .failed(let failure):
                try recordDecodeError(failure)
                if untilEnd { return }
            }
        }
    }

    private func recordDecodeError(_ failure: AVFailure) throws(MediaError) {
        context.counters.update { $0.decodeErrors += 1 }
        consecutiveDecodeErrors += 1
        if consecutiveDecodeErrors >= Self.decodeErrorLimit {
            throw .decodeFailed(url: source.url, reason: "\(consecutiveDecodeErrors) packets in a row failed to decode, last: \(failure.message)")
        }
    }

    /// Key frames stopped coming: decode everything from the last key frame on, and sample at the
    /// fallback interval.
    private func fallBack() throws(MediaError) {
        guard var tracker = gap else { return }
        tracker.enterFallback()
        gap = tracker
        context.counters.update { $0.keyframeFallbacks += 1 }
        try decodeEverything()
    }

    /// Decodes every picture from now on, starting with the buffered GOP, decoded in sequence:
    /// pictures already handed out come out again and are skipped.
    private func decodeEverything() throws(MediaError) {
        decodesEverything = true
        try reserveForDecodingMode()
        decoder.keyframesOnly = false
        decoder.flush()
        skipReplayedUpTo = lastEmittedRaw
        let replay = buffer.packets
        buffer.removeAll()
        bufferStartsAtIntraKey = false
        for buffered in replay {
            try decodeInSequence(buffered)
        }
    }

    // MARK: Focus

    /// Takes the consumer's focus requests; times already behind the last sample are dropped.
    private func collectFocusRequests() {
        guard context.policy.acceptsFocus else { return }
        let requests = context.focusInbox.drain()
        guard !requests.isEmpty else { return }
        for request in requests {
            context.focus.add(request, after: context.lastSampleTime)
        }
    }

    /// A focus time is waiting while only key frames are decoded: decode every picture from the
    /// current GOP's key frame on.
    private func startFocus() throws(MediaError) {
        focusDecoding = true
        context.counters.update { $0.focusBursts += 1 }
        try decodeEverything()
    }

    /// Every focus time was sampled, and the consumer, having seen the last focus sample, asked
    /// for no more: back to key frames only, unless something else needs every picture.
    private func endFocus() throws(MediaError) {
        focusEnded = false
        guard !context.focus.isActive else { return }
        focusDecoding = false
        guard policyAllowsKeyframeOnly, gap?.inFallback != true else { return }
        try decodeKeyframesOnly()
    }

    /// Key frames are regular again: stop interval sampling, and go back to decoding key frames
    /// only unless something else needs every picture.
    private func returnToKeyframes(raw: Double?) throws(MediaError) {
        keyframesReturned = false
        guard var tracker = gap else { return }
        tracker.leaveFallback(raw: raw)
        gap = tracker
        guard policyAllowsKeyframeOnly, !focusDecoding else { return }
        try decodeKeyframesOnly()
    }

    /// Drains the decoder (its delayed pictures are considered too) and decodes key frames only
    /// from the next packet on.
    private func decodeKeyframesOnly() throws(MediaError) {
        _ = decoder.send(nil)
        try receiveAll(untilEnd: true)
        decoder.flush()
        decodesEverything = false
        decoder.keyframesOnly = true
        try reserveForDecodingMode()
    }

    /// Scene detection needs every picture, so it keeps continuous decoding on.
    private var policyAllowsKeyframeOnly: Bool {
        options.media.sampling == .keyframes && context.policy.sceneChangeThreshold == nil
    }

    /// Flushes the decoder at the end of input so its delayed pictures are considered too.
    private func drainAtEnd() {
        guard decodesEverything else { return }
        _ = decoder.send(nil)
        try? receiveAll(untilEnd: true)
    }

    /// A stream may switch codec midway (a new PMT in MPEG-TS); the decoder follows.
    private func followCodecChanges() throws(MediaError) {
        guard let codec = format.codecID(ofStream: streamIndex), codec != decoder.codecID else { return }
        let name = format.stream(at: streamIndex)?.codecName ?? "unknown"
        decoder = try Self.openDecoder(
            format: format, streamIndex: streamIndex, options: options, keyframesOnly: !decodesEverything,
            lowLatency: source.isLive, codecName: name, allowedCodecs: source.allowedVideoCodecs, url: source.url
        )
        context.counters.update { $0.formatChanges += 1 }
    }

    // MARK: Sampling

    /// Applies the sampling rules to the picture in `decoded`.
    private func consider() throws(MediaError) {
        let timestamp = decoded.bestEffortTimestamp
        let raw = seconds(timestamp)
        if let limit = skipReplayedUpTo {
            // Pictures already handed out before the fallback come out of the replay again.
            if let raw, raw <= limit { return }
            skipReplayedUpTo = nil
        }
        // The picture's number in decoding order, over the whole session.
        let decodedNumber = context.counters.update { counters in
            counters.decodedFrames += 1
            return counters.decodedFrames - 1
        }
        picturesDecoded += 1
        lastPicture = MonotonicClock.seconds()
        do {
            try checkPictureSize()
        } catch {
            // Whoever controls a live stream can send such a picture at will: it is skipped and
            // counted, and reading goes on (the stream-health watch reports a stream of nothing
            // else). A file's picture over the limits ends the file, as it did.
            guard source.isLive else { throw error }
            context.counters.update { $0.oversizedPictures += 1 }
            return
        }

        let arrival = arrivals.arrival(of: timestamp) ?? .init(monotonic: MonotonicClock.seconds(), date: Date())
        let isIntraKey = decoded.isKey && decoded.isIntraPicture
        let sceneCut = detectSceneCut()
        let inFallback = gap?.inFallback ?? false

        if isIntraKey { decodedIntraKey = true }
        if isIntraKey, var tracker = gap {
            if tracker.keyPictureDecoded(raw: raw), inFallback { keyframesReturned = true }
            gap = tracker
        }

        let time = context.timeline.place(raw: raw, wall: arrival.monotonic, frameDuration: frameRate.map { 1 / $0 })
        let focused = takeFocus(at: time)
        let interval: Double?
        let selected: Bool
        switch options.media.sampling {
        case .everyFrame:
            interval = nil
            selected = true
        case .interval(let seconds):
            interval = seconds
            selected = isNewSlot(time: time, interval: seconds)
        case .keyframes:
            interval = inFallback ? context.policy.fallbackInterval : nil
            if !decodesEverything {
                selected = true
            } else if isIntraKey {
                selected = true
            } else if let interval {
                selected = isNewSlot(time: time, interval: interval) || wallClockDue(arrival.monotonic, interval: interval)
            } else {
                selected = false
            }
        }
        guard selected || sceneCut || focused else { return }
        let onlyFocused = focused && !selected && !sceneCut
        if onlyFocused { context.counters.update { $0.focusSamples += 1 } }
        try emit(time: time, raw: raw, arrival: arrival, interval: interval, decodedNumber: decodedNumber, asked: onlyFocused)
    }

    /// Whether the picture at `time` is sampled for a focus time; notes when focus is over.
    private func takeFocus(at time: Double) -> Bool {
        guard context.focus.isActive else { return false }
        let missedBefore = context.focus.missed
        let taken = context.focus.take(time: time, frameDuration: frameRate.map { 1 / $0 } ?? Self.assumedFrameDuration)
        let missed = context.focus.missed - missedBefore
        if missed > 0 { context.counters.update { $0.focusMissed += missed } }
        if focusDecoding, !context.focus.isActive { focusEnded = true }
        return taken
    }

    /// Frame duration assumed when the stream declares no frame rate (25 fps).
    private static let assumedFrameDuration = 0.04

    private func isNewSlot(time: Double, interval: Double) -> Bool {
        guard interval > 0, interval.isFinite else { return true }
        let slot = SamplingContext.slot(time: time, interval: interval)
        guard let last = context.lastSlot else { return true }
        return slot > last
    }

    /// Live sources with frozen or scrambled timestamps are still sampled, by the wall clock, at
    /// half the interval's rate (twice the interval, so it never doubles the timestamp rule).
    private func wallClockDue(_ now: Double, interval: Double) -> Bool {
        guard source.isLive, let last = context.lastSampleWall else { return false }
        return now - last >= 2 * interval
    }

    private func detectSceneCut() -> Bool {
        guard let threshold = context.policy.sceneChangeThreshold else { return false }
        guard let thumbnail = decoded.lumaThumbnail() else {
            return false
        }
        defer { previousSceneThumbnail = thumbnail }
        guard let previous = previousSceneThumbnail else { return false }
        return thumbnail.meanDifference(to: previous) > threshold
    }

    /// Converts the selected picture and queues it, with its cropped copies if it has borders or
    /// an inset.
    ///
    /// A picture the consumer `asked` for (focus) is handed out even when it looks like the last one.
    private func emit(
        time: Double, raw: Double?, arrival: ArrivalLog.Arrival, interval: Double?, decodedNumber: Int, asked: Bool
    ) throws(MediaError) {
        let converted: ConvertedPicture
        do {
            converted = try converter.convert(decoded, fittingIn: options.sampleMaxDimension)
        } catch {
            switch error {
            case .unsupportedPixelFormat(let name):
                throw .decodeFailed(url: source.url, reason: "cannot convert pixel format \(name) to \(converter.format.rawValue)")
            case .failed(let failure):
                throw .decodeFailed(url: source.url, reason: "\(converter.format.rawValue) conversion failed: \(failure.message)")
            }
        }
        context.lastSampleTime = time
        context.lastSampleWall = arrival.monotonic
        // A key frame also occupies its fallback slot, so a fallback starting after it does not
        // sample the very next picture again.
        let slotInterval = interval ?? (options.media.sampling == .keyframes ? context.policy.fallbackInterval : nil)
        if let slotInterval, slotInterval > 0 {
            context.lastSlot = SamplingContext.slot(time: time, interval: slotInterval)
        } else {
            context.lastSlot = nil
        }
        lastEmittedRaw = raw

        if context.policy.dropNearDuplicates, !asked {
            let thumbnail = Thumbnail(converted)
            if context.isNearDuplicate(thumbnail, at: time) {
                context.counters.update { $0.nearDuplicatesDropped += 1 }
                return
            }
            if let thumbnail { context.lastThumbnail = (thumbnail, time) }
        }

        // Every picture decoded: its number in decoding order, as vPDQ numbers frames. Key frames,
        // only some of which are decoded: their position estimated from the time.
        let index: Int
        if options.media.sampling != .keyframes {
            index = decodedNumber
        } else if let frameRate, let estimate = Int(exactly: (time * frameRate).rounded()) {
            index = estimate
        } else {
            index = context.sampledCount
        }
        context.sampledCount += 1
        let frame = Frame(
            index: index, ptsSeconds: time, isKeyframe: decoded.isKey, width: converted.width,
            height: converted.height, pixels: converted.pixels, format: converted.format, observedAt: arrival.date
        )
        pending.append(frame)
        let crops = cropRects(of: converted).compactMap { frame.cropped(to: $0) }
        pending.append(contentsOf: crops)
        context.counters.update { counters in
            counters.croppedFrames += crops.count
            counters.sampledFrames += 1 + crops.count
        }
    }

    /// The parts of a sampled picture worth hashing on their own: the content inside letterbox or
    /// pillarbox borders and the standard frame shapes around it, or else an inset picture; none
    /// when neither is found or both are off.
    private func cropRects(of picture: ConvertedPicture) -> [CropRect] {
        // A still image is one picture, hashed as it is (as image hash lists expect).
        guard !info.isStillImage else { return [] }
        if context.policy.detectBorders,
           let rect = BorderDetector.contentRect(of: picture) {
            return CropCandidates.rects(tight: rect, width: picture.width, height: picture.height)
        }
        guard context.policy.detectInsets,
              let inset = InsetDetector.insetRect(of: picture)
        else { return [] }
        return [inset]
    }

    /// Checks every picture against the size limits, and the memory estimate when the size changes.
    private func checkPictureSize() throws(MediaError) {
        let width = decoded.width
        let height = decoded.height
        if let pictureSize, pictureSize == (width, height) { return }
        try limits.check(width: width, height: height, url: source.url)
        try Self.checkMemoryLimit(width: width, height: height, format: converter.format, options: options, url: source.url)
        try reserveMemory(memoryNeeded(width: width, height: height))
        if pictureSize != nil { context.counters.update { $0.formatChanges += 1 } }
        pictureSize = (width, height)
    }

    /// Longest a live source may send video packets with no picture coming out of the decoder:
    /// the stall timeout when every picture is decoded, plus the key-frame gap when only key
    /// frames are (the gap fallback decodes the rest after that long). Without the fallback a
    /// live stream's key frames may legitimately be minutes apart, so there is no bound; nor for
    /// files.
    private var pictureDroughtLimit: Double? {
        guard source.isLive else { return nil }
        if decodesEverything { return timeouts.stall }
        return gap.map { $0.maxGap + timeouts.stall }
    }

    /// Refuses a picture size whose worst case (the decoder decoding every picture, as a
    /// stream falling back from key frames does) is over the per-stream memory limit.
    private static func checkMemoryLimit(
        width: Int, height: Int, format: PictureFormat, options: StreamOptions, url: String
    ) throws(MediaError) {
        let limits = options.limits
        let worstCase = limits.estimatedBytes(width: width, height: height, bufferedFrames: options.frameBufferCapacity, format: format)
        if worstCase > limits.maxMemoryBytes {
            throw .memoryLimitExceeded(url: url, bytes: worstCase, limit: limits.maxMemoryBytes)
        }
    }

    /// What the reader holds from the shared budget at a picture size, decoding as it does now:
    /// a decoder fed key frames alone holds a few pictures, one decoding everything up to 18.
    private func memoryNeeded(width: Int, height: Int) -> Int {
        options.limits.estimatedBytes(
            width: width, height: height, bufferedFrames: options.frameBufferCapacity, format: converter.format,
            decoderPictures: StreamLimits.decoderPictures(decodingEveryPicture: decodesEverything))
    }

    /// Moves the reservation to what the current decoding mode needs at the current picture size.
    private func reserveForDecodingMode() throws(MediaError) {
        let size = pictureSize ?? (info.width, info.height)
        try reserveMemory(memoryNeeded(width: size.width, height: size.height))
    }

    /// Holds `bytes` of the shared memory budget (more or less than now), or refuses.
    private func reserveMemory(_ bytes: Int) throws(MediaError) {
        guard let budget = options.memoryBudget, !budget.move(&reservedBytes, to: bytes) else { return }
        throw .memoryBudgetExhausted(url: source.url, bytes: bytes, budget: budget.limit)
    }

    // MARK: Helpers

    private func seconds(_ ticks: Int64?) -> Double? {
        guard let ticks, let secondsPerTick else { return nil }
        return Double(ticks) * secondsPerTick
    }

    /// `seconds`, shortened so a blocking call never outlives the session's end.
    private static func bounded(_ seconds: Double, by sessionEnd: Double?) -> Double {
        guard let sessionEnd else { return seconds }
        return min(seconds, sessionEnd - MonotonicClock.seconds())
    }

    private static func classify(
        _ failure: AVFailure, operation: String, seconds: Double, guard inputGuard: InputGuard, url: String
    ) -> MediaError {
        if inputGuard.cancellation.isCancelled { return .cancelled(url: url) }
        if failure.isInterrupted || inputGuard.deadlineExpired {
            return .timedOut(url: url, operation: operation, seconds: seconds)
        }
        return .openFailed(url: url, reason: failure.message)
    }

    private static func openDecoder(
        format: FormatContext, streamIndex: Int, options: StreamOptions, keyframesOnly: Bool,
        lowLatency: Bool, codecName: String, allowedCodecs: Set<String>?, url: String
    ) throws(MediaError) -> Decoder {
        if let allowed = allowedCodecs, !allowed.contains(codecName) {
            throw .unsupportedCodec(url: url, codec: "\(codecName) (not accepted from live sources)")
        }
        do {
            return try Decoder(
                format: format, streamIndex: streamIndex,
                configuration: .init(
                    threads: options.media.decoderThreads, keyframesOnly: keyframesOnly,
                    maxPixels: options.media.maxPixels, lowLatency: lowLatency, unpooledPictures: lowLatency
                )
            )
        } catch {
            switch error {
            case .noDecoder(let name):
                throw .unsupportedCodec(url: url, codec: name)
            case .failed(let failure):
                throw .openFailed(url: url, reason: "cannot open the \(codecName) decoder: \(failure.message)")
            }
        }
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

@available(*, unavailable, message: "A MediaReader stays on one thread; use StreamSession, or cancellationHandle")
extension MediaReader: Sendable {}
