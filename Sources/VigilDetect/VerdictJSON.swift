import Foundation

/// The one JSON form of a ``Verdict``: the line `vigil scan --json` prints (`"type":"verdict"`)
/// and what the daemon's scan jobs answer, byte for byte the same for the same verdict.
public enum VerdictJSON {
    /// The verdict as a JSON object (Foundation types, for `JSONSerialization`).
    public static func object(_ verdict: Verdict) -> [String: Any] {
        [
            "type": "verdict", "input": verdict.input, "matched": verdict.matched,
            "frames_hashed": verdict.framesHashed, "frames_matched": verdict.framesMatched,
            "image_matches": verdict.imageMatches,
            "video_matches": verdict.videoMatches.map { match -> [String: Any] in
                ["bank": match.bank, "video": match.videoID, "frames_matched": match.framesMatched,
                 "query_pct": rounded(match.result.queryPercent, places: 1),
                 "compared_pct": rounded(match.result.comparedPercent, places: 1),
                 "aligned_frames": match.result.alignedFrames,
                 "matched_at": match.matchedAt.map { rounded($0) } ?? NSNull()]
            },
            "near_videos": verdict.nearVideos.map { near -> [String: Any] in
                ["bank": near.bank, "video": near.videoID, "best_distance": near.bestDistance,
                 "frames_matched": near.framesMatched, "aligned_frames": near.result.alignedFrames]
            },
            "file_matches": verdict.fileMatches.map { match -> [String: Any] in
                ["bank": match.bank, "md5": match.entry.md5, "ids": match.entry.ids, "label": match.entry.label ?? NSNull()]
            },
            "suppressed": verdict.suppressions,
        ]
    }

    /// The verdict's JSON text: sorted keys, slashes unescaped, no trailing newline.
    public static func data(_ verdict: Verdict) -> Data {
        encode(object(verdict))
    }

    /// `object` as JSON text in the form every Vigil JSON line takes (sorted keys, slashes
    /// unescaped); an object `JSONSerialization` cannot write gives `{}`.
    public static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// `value` rounded to `places` decimals, as every time and percentage in Vigil's JSON is.
    public static func rounded(_ value: Double, places: Int = 3) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
