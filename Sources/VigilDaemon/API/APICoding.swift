import Foundation
import VigilAlerts

/// The API's JSON conventions: the alert encoder's (sorted keys, millisecond UTC times), so an
/// alert reads the same from the API as from a webhook.
enum APICoding {
    static let encoder = AlertCoding.makeEncoder()

    /// Decodes a request body, turning every failure into a 400 that says what is wrong and where.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(APIError) -> T {
        guard !data.isEmpty else { throw APIError(.badRequest, "the request body is empty; send a JSON object") }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError(.badRequest, "missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw APIError(.badRequest, "field \(path(context.codingPath)) must be \(describe(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw APIError(.badRequest, "field \(path(context.codingPath)) must be \(describe(expected)), not null")
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw APIError(.badRequest, "the request body is not valid JSON")
        } catch let DecodingError.dataCorrupted(context) {
            throw APIError(.badRequest, "field \(path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw APIError(.badRequest, "the request body is not valid JSON")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            .replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        default: return "a JSON object"
        }
    }
}
