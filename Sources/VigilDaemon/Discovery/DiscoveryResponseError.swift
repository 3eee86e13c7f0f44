/// A media server's answer that is not what its documented API returns, in words.
struct DiscoveryResponseError: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// A JSON answer that did not decode as `what`: where and how, never the answer itself.
    static func notA(_ what: String, _ error: any Error) -> DiscoveryResponseError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        let detail: String
        switch error {
        case DecodingError.keyNotFound(let key, let context): detail = "missing \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            detail = "unexpected value at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty: detail = "not JSON"
        case DecodingError.dataCorrupted(let context): detail = "unexpected value at \(path(context.codingPath))"
        default: detail = "unreadable"
        }
        return DiscoveryResponseError("not \(what): \(detail)")
    }
}
