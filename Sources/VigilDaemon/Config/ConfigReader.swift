/// Typed, path-aware access to a ``ConfigValue``: every failure names its key path and line.
struct ConfigReader {
    let value: ConfigValue
    let path: String
    let file: String?
    let substitution: EnvironmentSubstitution

    func error(_ message: String, line: Int? = nil) -> ConfigError {
        ConfigError(file: file, line: line ?? value.line, path: path, message: message)
    }

    var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// The mapping's entries; refuses keys not in `allowed`, suggesting the closest known key.
    func mapping(allowed: Set<String>) throws(ConfigError) -> [String: ConfigReader] {
        switch value {
        case .null:
            return [:]
        case .mapping(let pairs, _):
            var result: [String: ConfigReader] = [:]
            for (key, child) in pairs {
                let childPath = ConfigValue.join(path, key)
                guard allowed.contains(key) else {
                    let hint = Self.closest(to: key, in: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
                    throw ConfigError(file: file, line: child.line, path: childPath, message: "unknown key\(hint)")
                }
                result[key] = ConfigReader(value: child, path: childPath, file: file, substitution: substitution)
            }
            return result
        default:
            throw error("expected a mapping of keys to values")
        }
    }

    /// The sequence's items (a null value is an empty sequence).
    func sequence() throws(ConfigError) -> [ConfigReader] {
        switch value {
        case .null:
            return []
        case .sequence(let items, _):
            return items.enumerated().map { index, item in
                ConfigReader(value: item, path: "\(path)[\(index)]", file: file, substitution: substitution)
            }
        default:
            throw error("expected a list")
        }
    }

    /// The scalar as text, with `${ENV}` references substituted.
    func string() throws(ConfigError) -> String {
        guard case .scalar(let text, _, _) = value else {
            throw error(isNull ? "a value is required" : "expected a single value, not a list or mapping")
        }
        do {
            return try substitution.apply(text)
        } catch {
            throw self.error(error.description)
        }
    }

    /// A non-empty string.
    func nonEmptyString() throws(ConfigError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw error("must not be empty") }
        return text
    }

    /// A single string or a list of strings.
    func strings() throws(ConfigError) -> [String] {
        if case .sequence = value {
            var result: [String] = []
            for item in try sequence() { result.append(try item.nonEmptyString()) }
            return result
        }
        return [try nonEmptyString()]
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string()
        guard let number = Int(text) else { throw error("\(text.debugDescription) is not an integer") }
        guard range.contains(number) else { throw error("\(number) is outside \(range.lowerBound)...\(range.upperBound)") }
        return number
    }

    func bool() throws(ConfigError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error("\(other.debugDescription) is not true or false")
        }
    }

    /// A size (`512MiB`, `8GiB`, `1TiB`, or bytes) within `range`, in bytes.
    func bytes(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let text = try string()
        let units: [(suffix: String, shift: Int)] = [("KiB", 10), ("MiB", 20), ("GiB", 30), ("TiB", 40), ("", 0)]
        guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
              let number = Int(text.dropLast(unit.suffix.count)), number >= 0,
              number <= Int.max >> unit.shift
        else { throw error("\(text.debugDescription) is not a size (write e.g. 512MiB or 8GiB)") }
        let bytes = number << unit.shift
        guard range.contains(bytes) else { throw error("\(text) is outside \(range.lowerBound)...\(range.upperBound) bytes") }
        return bytes
    }

    /// A duration (`500ms`, `4s`, `2m`, `24h`, or seconds) within `range`, in seconds.
    func seconds(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        let text = try string()
        guard let seconds = DurationText.seconds(text) else {
            throw error("\(text.debugDescription) is not a duration (write e.g. 500ms, 4s, 2m or 24h)")
        }
        guard range.contains(seconds) else {
            throw error("\(text) is outside \(Self.describe(range.lowerBound))...\(Self.describe(range.upperBound))")
        }
        return seconds
    }

    private static func describe(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }

    /// The allowed key closest to a misspelt one, if any is close.
    private static func closest(to key: String, in allowed: Set<String>) -> String? {
        let scored = allowed.map { ($0, editDistance(key.lowercased(), $0)) }.min { ($0.1, $0.0) < ($1.1, $1.0) }
        guard let (best, distance) = scored, distance <= max(2, key.count / 3) else { return nil }
        return best
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
