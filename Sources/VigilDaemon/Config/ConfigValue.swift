import Yams

/// A parsed YAML value with the line it came from, reduced to what the config needs.
///
/// Reading the config through this tree rather than `Decodable` gives every error its exact key
/// path and line, and lets unknown keys (typos) be refused instead of silently ignored.
indirect enum ConfigValue: Sendable {
    case scalar(String, line: Int?, quoted: Bool)
    case mapping([(key: String, value: ConfigValue)], line: Int?)
    case sequence([ConfigValue], line: Int?)
    case null(line: Int?)

    var line: Int? {
        switch self {
        case .scalar(_, let line, _), .mapping(_, let line), .sequence(_, let line), .null(let line): return line
        }
    }

    /// Parses YAML text; an empty document is an empty mapping.
    static func parse(_ text: String, file: String?) throws(ConfigError) -> ConfigValue {
        let parser: Parser
        let node: Node?
        do {
            parser = try Parser(yaml: text)
            node = try parser.singleRoot()
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), path: "", message: "invalid YAML: \(Self.summary(of: error))")
        } catch {
            throw ConfigError(file: file, path: "", message: "invalid YAML: \(error)")
        }
        guard let node else { return .mapping([], line: 1) }
        // The composer substitutes each alias with its anchored node, so a few lines of aliases
        // can stand for billions of values. Nodes know their anchor only while the parser lives.
        return try withExtendedLifetime(parser) { () throws(ConfigError) -> ConfigValue in
            try convert(node, path: "", file: file)
        }
    }

    private static func convert(_ node: Node, path: String, file: String?) throws(ConfigError) -> ConfigValue {
        let line = node.mark?.line
        // The anchored node comes before any alias to it, so this refuses before any expansion.
        if let anchor = node.anchor {
            throw ConfigError(file: file, line: line, path: path, message: "YAML anchors and aliases are not supported in the config (found &\(anchor.rawValue)); write the values out")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return .null(line: line)
            }
            return .scalar(scalar.string, line: line, quoted: scalar.style != .plain)
        case .mapping(let mapping):
            var pairs: [(key: String, value: ConfigValue)] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ConfigError(file: file, line: key.mark?.line, path: path, message: "keys must be plain strings")
                }
                let name = keyScalar.string
                if pairs.contains(where: { $0.key == name }) {
                    throw ConfigError(file: file, line: key.mark?.line, path: join(path, name), message: "key appears twice")
                }
                pairs.append((name, try convert(value, path: join(path, name), file: file)))
            }
            return .mapping(pairs, line: line)
        case .sequence(let sequence):
            var items: [ConfigValue] = []
            for (index, item) in sequence.enumerated() {
                items.append(try convert(item, path: "\(path)[\(index)]", file: file))
            }
            return .sequence(items, line: line)
        case .alias:
            throw ConfigError(file: file, line: line, path: path, message: "YAML aliases are not supported in the config")
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
        default:
            return "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
        }
    }
}
