import VigilDetect
import VigilMatch

/// Matches a stream's sample against every bank serving now. Stateless, so hashing workers run it
/// in parallel before the sample joins its stream's ``DetectionState`` in order.
struct FrameMatcher: Sendable {
    let banks: BankRegistry
    let metrics: DaemonMetrics

    /// Every bank entry near the sample.
    func match(_ sample: StreamSample) -> FrameMatches {
        let loaded = banks.loaded()
        let matches = FrameMatches(sample.frame, matchers: loaded.map(\.matcher))
        for (bank, found) in zip(loaded, matches.banks) where found.variants.contains(where: { !$0.isEmpty }) {
            metrics.matches(bank: bank.spec.name).increment()
        }
        if let allowed = matches.suppressedBy { metrics.allowSuppressions(bank: allowed.bank).increment() }
        return matches
    }
}
