import VigilAlerts
import VigilMatch

/// Matches a hashed frame against every bank serving now.
struct FrameMatcher: Sendable {
    let banks: BankRegistry
    let metrics: DaemonMetrics

    /// The frame as the incident policy sees it, with every bank entry within its bank's threshold.
    func observe(_ frame: HashedFrame) -> FrameObservation {
        var candidates: [MatchCandidate] = []
        for bank in banks.loaded() {
            let matches = bank.matcher.matches(for: frame.hash, quality: frame.quality)
            if !matches.isEmpty { metrics.matches(bank: bank.spec.name).increment() }
            candidates += matches.map { MatchCandidate($0, matcher: bank.matcher) }
        }
        return FrameObservation(
            stream: frame.stream, source: frame.source, hash: frame.hash, quality: frame.quality,
            ptsSeconds: frame.ptsSeconds, keyframe: frame.keyframe, observedAt: frame.observedAt, candidates: candidates)
    }
}
