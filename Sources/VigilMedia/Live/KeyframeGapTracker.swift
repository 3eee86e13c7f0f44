/// Watches for streams that stop delivering key frames, and for their return.
///
/// Key-frame sampling is cheap but can be dodged: a stream with a 10-minute GOP, or one using
/// periodic intra refresh (no key pictures at all), would go unsampled. The gap is measured two
/// ways, and either ends key-frame sampling:
/// - presentation time since the last decodable key picture, and
/// - packets since then multiplied by the frame duration, which cannot be dodged by freezing,
///   omitting or scrambling timestamps. The rate used is capped at 60 fps so that a declared
///   absurd rate cannot stretch the gap.
///
/// Key-frame sampling resumes only once two decodable key pictures arrive within `maxGap` of
/// each other, so a stream that sends the odd key frame cannot make the reader flap.
struct KeyframeGapTracker {
    /// Longest tolerated gap between key pictures, in seconds.
    let maxGap: Double
    /// Seconds one packet stands for in the packet-count measure.
    let secondsPerPacket: Double

    /// Whether key-frame sampling has been abandoned for continuous decoding.
    private(set) var inFallback = false
    private var packets = 0
    /// The last key picture (or the start of the connection), the gap's origin.
    private var reference: Mark?
    /// The last key picture decoded during the fallback, to see whether key frames came back.
    private var lastKeyInFallback: Mark?

    private struct Mark {
        let raw: Double?
        let packet: Int
    }

    init(maxGap: Double, frameRate: Double?) {
        self.maxGap = maxGap
        let rate = min(max(frameRate ?? 25, 1), 60)
        secondsPerPacket = 1 / rate
    }

    /// Records a video packet; returns `true` when the key-frame gap has just been exceeded and the
    /// reader must switch to continuous decoding.
    mutating func packetArrived(raw: Double?) -> Bool {
        packets += 1
        guard !inFallback else { return false }
        guard let reference else {
            self.reference = Mark(raw: raw, packet: packets)
            return false
        }
        if let raw, let origin = reference.raw, raw < origin - maxGap {
            // Timestamps went back (reset, wrap): measure from here.
            self.reference = Mark(raw: raw, packet: packets)
            return false
        }
        return exceeds(from: reference, raw: raw)
    }

    /// Records a decoded key picture that is decodable on its own. Returns `true` when, during the
    /// fallback, this shows key frames are back and key-frame sampling may resume.
    mutating func keyPictureDecoded(raw: Double?) -> Bool {
        let mark = Mark(raw: raw, packet: packets)
        guard inFallback else {
            reference = mark
            return false
        }
        defer { lastKeyInFallback = mark }
        guard let previous = lastKeyInFallback, previous.packet < mark.packet else { return false }
        return !exceeds(from: previous, raw: raw)
    }

    /// Switches to continuous decoding.
    mutating func enterFallback() {
        inFallback = true
        lastKeyInFallback = nil
    }

    /// Returns to key-frame sampling, measuring the next gap from now.
    mutating func leaveFallback(raw: Double?) {
        inFallback = false
        lastKeyInFallback = nil
        reference = Mark(raw: raw, packet: packets)
    }

    private func exceeds(from origin: Mark, raw: Double?) -> Bool {
        if Double(packets - origin.packet) * secondsPerPacket > maxGap { return true }
        if let raw, let start = origin.raw, raw - start > maxGap { return true }
        return false
    }
}
