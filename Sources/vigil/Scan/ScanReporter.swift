import Foundation
import VigilDetect
import VigilHash
import VigilMatch

/// Writes `vigil scan` findings and verdicts, as text for people or JSON lines for scripts.
struct ScanReporter {
    var json: Bool
    var output: LineWriter

    func report(_ finding: FrameFinding) {
        let entry = finding.match.entry
        if json {
            var object: [String: Any] = [
                "type": "match", "input": finding.input, "pts": VerdictJSON.rounded(finding.ptsSeconds),
                "keyframe": finding.isKeyframe, "bank": finding.match.bank, "entry": entry.reference,
                "entry_hash": entry.hash.hex, "hash": finding.hash.hex, "distance": finding.match.distance,
                "quality": finding.quality, "entries_within_threshold": finding.entriesWithinThreshold,
            ]
            if !entry.ids.isEmpty { object["entry_ids"] = entry.ids }
            if let label = entry.label { object["label"] = label }
            if finding.variant != .original { object["variant"] = finding.variant.description }
            if let crop = finding.crop { object["crop"] = crop.description }
            write(object)
        } else {
            var line = "MATCH \(finding.input) at \(HashRecord.timestamp(finding.ptsSeconds))s: "
                + "bank \(finding.match.bank), entry \(entry.reference)"
            if let label = entry.label { line += " (\(label))" }
            line += ", distance \(finding.match.distance), quality \(finding.quality)"
            if finding.variant != .original { line += ", as \(finding.variant)" }
            if let crop = finding.crop { line += ", inside borders (\(crop))" }
            output.write(line)
        }
    }

    func report(_ verdict: Verdict) {
        if json {
            output.write(String(decoding: VerdictJSON.data(verdict), as: UTF8.self))
            return
        }
        let silenced = verdict.suppressions.keys.sorted().map { "\(verdict.suppressions[$0] ?? 0) silenced by allow-list \($0)" }
        guard verdict.matched else {
            output.write("\(verdict.input): no match (" + (["\(verdict.framesHashed) frames hashed"] + silenced).joined(separator: "; ") + ")")
            return
        }
        var reasons = ["\(verdict.framesMatched) of \(verdict.framesHashed) hashed frames matched"]
        for match in verdict.fileMatches {
            reasons.append("the file's MD5 \(match.entry.md5) is a known file in bank \(match.bank)" + (match.entry.label.map { " (\($0))" } ?? ""))
        }
        for match in verdict.videoMatches {
            var reason = String(format: "video %@ in bank %@: %.0f%% of query frames, %.0f%% of its frames",
                                match.videoID, match.bank, match.result.queryPercent, match.result.comparedPercent)
            if match.result.alignedFrames > 1 { reason += ", \(match.result.alignedFrames) in its order and pace" }
            if let time = match.matchedAt { reason += String(format: ", matched at %.2f s", time) }
            reasons.append(reason)
        }
        output.write("\(verdict.input): MATCH (\((reasons + silenced).joined(separator: "; ")))")
    }

    private func write(_ object: [String: Any]) {
        output.write(String(decoding: VerdictJSON.encode(object), as: UTF8.self))
    }
}
