import VigilHash
import VigilMatch

/// The video rule kept up to date, sample by sample, for one input against one known video.
///
/// Gives exactly what `VideoMatchRule.evaluateBestWindow` gives over all the samples seen, but
/// each sample costs one pass over the known video's frames instead of a pass over every sample
/// so far, so the rule can be asked after every sample of a live stream. Temporal alignment
/// (``AlignedRuns``) is kept up to date the same way.
///
/// The latest moment stays *pending* until the next one comes: its cropped copy may still replace
/// it (a letterboxed frame is judged by its inside when only the inside matches).
struct VideoTrack: Sendable {
    let bank: String
    let bankOrder: Int
    let videoID: String
    let label: String?
    private let rule: VideoMatchRule
    private let windowFrames: Int
    /// The known video's distinct good-quality hashes.
    private let compared: [PDQHash]
    /// The times of the known video's good-quality frames, ascending: where focus samples go.
    let frameTimes: [Double]
    /// The known video's good-quality frames with their times (every bank frame has one): the
    /// frames each sample is compared with, for the threshold and for temporal alignment alike.
    private let timedKnown: [VideoMatchFrame]
    /// One per dihedral variant of the query.
    private var variants: [Variant]
    private var pending: [VideoMatchFrame]?
    private var committedMatches = 0
    /// Media time of the sample at which the rule first matched.
    private var matchedAt: Double?
    private(set) var bestDistance = Int.max

    /// Tallies of one variant's samples, enough to give the rule's result.
    private struct Tally: Sendable {
        var usable = 0
        var near = 0
        var distinct = 0
        var distinctNear = 0
        var comparedNear = 0
        /// The latest `windowFrames` near flags, oldest first.
        var recent: [Bool] = []
        var bestFullWindow = 0
        var run = 0
        var longestRun = 0
    }

    private struct Variant: Sendable {
        var tally = Tally()
        var seen: Set<PDQHash> = []
        var comparedSeen: [Bool]
        var aligned = AlignedRuns()
    }

    init(bank: String, bankOrder: Int, video: BankVideo, label: String?, rule: VideoMatchRule, windowFrames: Int,
         variantCount: Int, history: [[VideoMatchFrame]]) {
        self.bank = bank
        self.bankOrder = bankOrder
        videoID = video.id
        self.label = label
        self.rule = rule
        self.windowFrames = windowFrames
        var seen: Set<PDQHash> = []
        compared = video.frames.compactMap { frame in
            frame.quality >= rule.minQuality && seen.insert(frame.hash).inserted ? frame.hash : nil
        }
        timedKnown = rule.timedUsable(video.frames.map(\.matchFrame))
        frameTimes = Array(Set(timedKnown.compactMap(\.time))).sorted()
        variants = Array(repeating: Variant(comparedSeen: Array(repeating: false, count: compared.count)), count: variantCount)
        let moments = history.first?.count ?? 0
        for moment in 0..<moments {
            commit(history.map { $0[moment] })
        }
    }

    /// A new moment: the pending one is final now.
    mutating func begin(_ moment: [VideoMatchFrame]) {
        if let pending { commit(pending) }
        pending = moment
    }

    /// The pending moment is judged by `moment` (its cropped copy) instead.
    mutating func replacePending(_ moment: [VideoMatchFrame]) {
        pending = moment
    }

    /// Notes a distance between a sample and a frame of the video.
    mutating func saw(distance: Int) {
        bestDistance = min(bestDistance, distance)
    }

    /// The rule's result over every sample, the pending one included, for the best variant; and
    /// how many moments came near the video.
    private func evaluate() -> (result: VideoMatchResult, framesMatched: Int) {
        var best: VideoMatchResult?
        var pendingNear = false
        for (index, variant) in variants.enumerated() {
            var tally = variant.tally
            var alignedRun = variant.aligned.longest
            if let frame = pending?[index] {
                let step = self.step(frame, variant: variant, into: &tally)
                pendingNear = pendingNear || step.near
                if let time = frame.time, !step.knownTimes.isEmpty {
                    alignedRun = max(alignedRun, variant.aligned.run(endingAt: time, knownTimes: step.knownTimes))
                }
            }
            let result = self.result(tally, alignedRun: alignedRun)
            if let current = best, current.isMatch && !result.isMatch
                || (current.isMatch == result.isMatch && current.queryPercent >= result.queryPercent) { continue }
            best = result
        }
        let result = best ?? VideoMatchResult(videoID: videoID, queryPercent: 0, comparedPercent: 0, queryFrames: 0,
                                              comparedFrames: compared.count, isMatch: false)
        return (result, committedMatches + (pendingNear ? 1 : 0))
    }

    /// Where the input stands against the video now; a match made earlier counts.
    func standing(latestDistance: Int?) -> VideoStanding {
        let (result, framesMatched) = evaluate()
        return VideoStanding(
            bank: bank, videoID: videoID, label: label, result: result, isMatch: matchedAt != nil || result.isMatch,
            framesMatched: framesMatched, bestDistance: bestDistance, latestDistance: latestDistance, matchedAt: matchedAt)
    }

    /// Keeps a match for good, made at the sample of media time `time` if not before; returns
    /// when the first match was made.
    mutating func remember(_ standing: VideoStanding, at time: Double) -> Double? {
        if standing.isMatch, matchedAt == nil { matchedAt = time }
        return matchedAt
    }

    private mutating func commit(_ moment: [VideoMatchFrame]) {
        var anyNear = false
        for index in variants.indices {
            var tally = variants[index].tally
            let step = self.step(moment[index], variant: variants[index], into: &tally)
            variants[index].tally = tally
            if let time = moment[index].time, !step.knownTimes.isEmpty {
                variants[index].aligned.add(time: time, knownTimes: step.knownTimes)
            }
            if step.newDistinct { variants[index].seen.insert(moment[index].hash) }
            for matched in step.newlyNearCompared { variants[index].comparedSeen[matched] = true }
            anyNear = anyNear || step.near
        }
        if anyNear { committedMatches += 1 }
    }

    /// Adds one sample to `tally`; says what else changes.
    private func step(
        _ frame: VideoMatchFrame, variant: Variant, into tally: inout Tally
    ) -> (near: Bool, newDistinct: Bool, newlyNearCompared: [Int], knownTimes: [Double]) {
        guard frame.quality >= rule.minQuality else { return (false, false, [], []) }
        let threshold = rule.frameThreshold
        // One pass over the known frames: the nearest hit is the nearest frame of all.
        let hits = rule.alignedHits(for: frame.hash, among: timedKnown)
        let near = (hits.first?.distance ?? .max) <= threshold
        let knownTimes = frame.time == nil ? [] : hits.map(\.time)
        tally.usable += 1
        if near { tally.near += 1 }
        tally.run = near ? tally.run + 1 : 0
        tally.longestRun = max(tally.longestRun, tally.run)
        if windowFrames > 0 {
            tally.recent.append(near)
            if tally.recent.count > windowFrames { tally.recent.removeFirst() }
            if tally.usable >= windowFrames {
                tally.bestFullWindow = max(tally.bestFullWindow, tally.recent.count(where: { $0 }))
            }
        }
        guard !variant.seen.contains(frame.hash) else { return (near, false, [], knownTimes) }
        tally.distinct += 1
        if near { tally.distinctNear += 1 }
        var newlyNear: [Int] = []
        if near {
            for (index, hash) in compared.enumerated() where !variant.comparedSeen[index] && hash.distance(to: frame.hash) <= threshold {
                newlyNear.append(index)
            }
        }
        tally.comparedNear += newlyNear.count
        return (near, true, newlyNear, knownTimes)
    }

    private func result(_ tally: Tally, alignedRun: Int) -> VideoMatchResult {
        var queryPercent = Self.percent(tally.distinctNear, of: tally.distinct)
        let comparedPercent = Self.percent(tally.comparedNear, of: compared.count)
        var best = tally.near
        if windowFrames > 0, tally.usable > windowFrames {
            best = tally.bestFullWindow
            queryPercent = max(queryPercent, Self.percent(best, of: windowFrames))
        }
        let sustained = rule.sustainedFrames > 0 && tally.longestRun >= rule.sustainedFrames
        return VideoMatchResult(
            videoID: videoID, queryPercent: queryPercent, comparedPercent: comparedPercent, queryFrames: tally.distinct,
            comparedFrames: compared.count,
            isMatch: comparedPercent >= rule.comparedMatchPercent
                && (best > 0 && (queryPercent >= rule.queryMatchPercent || sustained) || rule.isAligned(alignedRun)),
            alignedFrames: alignedRun)
    }

    private static func percent(_ part: Int, of whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) * 100 / Double(whole)
    }
}
