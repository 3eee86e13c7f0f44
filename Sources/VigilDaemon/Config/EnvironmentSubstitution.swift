/// Replaces `${NAME}` in config values with the environment variable `NAME`, so secrets stay out
/// of the file. `${NAME:-default}` falls back to `default` when `NAME` is unset or empty; `$$`
/// writes a literal `$`. A reference to an unset variable without a default is an error: a daemon
/// silently running with an empty API token or webhook secret would be worse than one that stops.
///
/// Substitution happens in parsed scalar values, never in the raw YAML text, so a variable's value
/// cannot change the document's structure.
struct EnvironmentSubstitution: Sendable {
    let environment: [String: String]
    /// Off for API bodies: a client must not be able to read the daemon's environment (its secrets)
    /// back through a stream URL it sent.
    var enabled = true

    /// `text` with every reference replaced; throws the problem in words (the caller adds the key).
    func apply(_ text: String) throws(SubstitutionError) -> String {
        guard enabled, text.contains("$") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
                continue
            }
            guard next < text.endIndex, text[next] == "{" else {
                output.append("$")
                index = next
                continue
            }
            guard let close = text[next...].firstIndex(of: "}") else {
                throw .unterminated
            }
            let inner = String(text[text.index(after: next)..<close])
            let name: String
            let fallback: String?
            if let separator = inner.range(of: ":-") {
                name = String(inner[..<separator.lowerBound])
                fallback = String(inner[separator.upperBound...])
            } else {
                name = inner
                fallback = nil
            }
            guard Self.isValidName(name) else { throw .invalidName(name) }
            if let value = environment[name], !value.isEmpty {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                throw .unset(name)
            }
            index = text.index(after: close)
        }
        return output
    }

    private static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

/// Why a `${...}` reference could not be substituted.
enum SubstitutionError: Error, CustomStringConvertible {
    case unset(String)
    case invalidName(String)
    case unterminated

    var description: String {
        switch self {
        case .unset(let name): return "environment variable \(name) is not set (use ${\(name):-default} for a fallback)"
        case .invalidName(let name): return "${\(name)} is not a valid environment variable reference"
        case .unterminated: return "\"${\" without a closing \"}\""
        }
    }
}
