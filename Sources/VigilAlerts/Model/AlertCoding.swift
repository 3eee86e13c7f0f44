import Foundation

/// The one JSON encoding of alerts, shared by the outbox, the sinks and the HTTP API so that every
/// consumer sees byte-identical bodies (webhook signatures are computed over these bytes).
public enum AlertCoding {
    /// Encodes an alert as compact JSON with sorted keys and millisecond UTC timestamps.
    public static func encode(_ alert: RaisedAlert) throws -> Data {
        try makeEncoder().encode(alert)
    }

    /// Encodes a match alert (kind `match`).
    public static func encode(_ alert: Alert) throws -> Data {
        try encode(.match(alert))
    }

    /// Decodes an alert of either kind from the JSON `encode` produced.
    public static func decode(_ data: Data) throws -> RaisedAlert {
        try makeDecoder().decode(RaisedAlert.self, from: data)
    }

    /// An encoder configured for alerts and documents embedding them.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    /// A decoder matching ``makeEncoder()``.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\(text.debugDescription) is not an RFC 3339 UTC timestamp")
            }
            return date
        }
        return decoder
    }
}
