import Foundation

/// Parses durations as written in the config: `250ms`, `4s`, `2m`, `24h`, `1.5s`, or a bare
/// number of seconds.
enum DurationText {
    /// Seconds, or nil when `text` is not a non-negative duration.
    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" also ends in "s"; the order above tries it first, and "5m" must not read "5" + "m"s.
            guard let value = Double(number), value.isFinite, value >= 0 else { continue }
            return value * scale
        }
        guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }
}
