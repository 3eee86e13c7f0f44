import Foundation
import VigilAlerts

/// Reads API bodies through the config's validation, so a stream or bank added over the API is
/// checked exactly like one in the config file.
public enum JSONConfigValue {
    /// A `POST /v1/streams` body: an ``APIError`` (400) when it is no JSON object, a
    /// ``ConfigError`` when the stream it describes is invalid.
    public static func stream(_ body: Data, allowFiles: Bool) throws -> StreamSpec {
        try ConfigLoader.parseStream(reader(parse(body)), allowFiles: allowFiles, origin: .api)
    }

    /// A `POST /v1/banks` body, refused as ``stream(_:allowFiles:)`` refuses.
    public static func bank(_ body: Data) throws -> BankSpec {
        try ConfigLoader.parseBank(reader(parse(body)), origin: .api)
    }

    /// The JSON object in `data` as a config value; a 400 when it is not a JSON object.
    static func parse(_ data: Data) throws(APIError) -> ConfigValue {
        guard !data.isEmpty else { throw APIError(.badRequest, "the request body is empty; send a JSON object") }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw APIError(.badRequest, "the request body is not valid JSON")
        }
        guard case .object = value else { throw APIError(.badRequest, "the request body must be a JSON object") }
        return value.configValue
    }

    /// A reader over `value` that never substitutes environment variables.
    static func reader(_ value: ConfigValue) -> ConfigReader {
        ConfigReader(value: value, path: "", file: nil, substitution: EnvironmentSubstitution(environment: [:], enabled: false))
    }
}

extension JSONValue {
    /// The value as the config reader sees YAML: numbers as their text (integers without a
    /// fraction), strings quoted, keys in a fixed order.
    fileprivate var configValue: ConfigValue {
        switch self {
        case .object(let members):
            return .mapping(members.keys.sorted().map { (key: $0, value: members[$0]!.configValue) }, line: nil)
        case .array(let items):
            return .sequence(items.map(\.configValue), line: nil)
        case .string(let text):
            return .scalar(text, line: nil, quoted: true)
        case .integer(let value):
            return .scalar(String(value), line: nil, quoted: false)
        case .number(let value):
            let integral = value.rounded() == value && abs(value) < 0x1p63
            return .scalar(integral ? String(Int64(value)) : String(value), line: nil, quoted: false)
        case .bool(let value):
            return .scalar(value ? "true" : "false", line: nil, quoted: false)
        case .null:
            return .null(line: nil)
        }
    }
}
