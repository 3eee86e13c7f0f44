import Foundation
import VigilMatch

/// What `vigil bank check` says about one bank.
struct BankReport {
    var path: String
    var matcher: BankMatcher
    var issues: Int
    var loadSeconds: Double
    var indexSeconds: Double

    private var stats: BankStats { matcher.bank.stats }
    private var bytesPerEntry: Double {
        Double(matcher.index.memoryBytes) / Double(max(matcher.index.count, 1))
    }

    var textLines: [String] {
        var lines = ["\(path): \(stats.entriesAfterMerging) distinct hashes from \(stats.linesRead) lines in \(stats.filesRead) file(s)"]
        lines.append("  duplicates merged: \(stats.duplicatesMerged)")
        lines.append("  low quality (< \(BankStats.lowQualityThreshold)): \(stats.lowQualityEntries)")
        if stats.videos > 0 {
            lines.append("  videos: \(stats.videos) (\(stats.videoFrames) frames)")
        }
        if matcher.allowEntryCount > 0 {
            lines.append("  known benign (allow-list entries, category NEGATIVE_CLASS): \(matcher.allowEntryCount)")
        }
        if stats.fileDigests > 0 {
            lines.append("  file MD5s (exact copies): \(stats.fileDigests)")
        }
        if !stats.skippedSignals.isEmpty {
            let skipped = stats.skippedSignals.keys.sorted().map { "\($0) \(stats.skippedSignals[$0] ?? 0)" }
            lines.append("  exchange signals of other types skipped: " + skipped.joined(separator: ", "))
        }
        if issues > 0 {
            lines.append("  invalid lines skipped: \(issues)")
        }
        for empty in stats.emptyInputs {
            lines.append("  warning: \(empty) holds no hashes")
        }
        lines.append(String(format: "  load: %.3f s; index: %@, built in %.3f s, %.1f MiB (%.1f bytes per hash)",
                            loadSeconds, matcher.index.layout.description, indexSeconds,
                            Double(matcher.index.memoryBytes) / 1_048_576, bytesPerEntry))
        return lines
    }

    var json: String {
        let object: [String: Any] = [
            "path": path, "bank": matcher.bank.name, "entries": stats.entriesAfterMerging,
            "lines": stats.linesRead, "files": stats.filesRead, "duplicates_merged": stats.duplicatesMerged,
            "low_quality": stats.lowQualityEntries, "videos": stats.videos, "video_frames": stats.videoFrames,
            "invalid_lines": issues, "load_seconds": loadSeconds, "index_seconds": indexSeconds,
            "index_layout": matcher.index.layout.description, "index_bytes": matcher.index.memoryBytes,
            "allow_entries": matcher.allowEntryCount, "file_digests": stats.fileDigests, "skipped_signals": stats.skippedSignals,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
