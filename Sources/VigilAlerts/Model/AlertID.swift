import Foundation

/// A ULID: 48 bits of milliseconds since 1970 then 80 random bits, written as 26 Crockford base32
/// characters. Ids sort as text in the order they were made, which is what `GET /v1/alerts?after=ID`
/// paging and per-sink ordering rely on.
public struct AlertID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The 26-character text form.
    public let rawValue: String

    /// Number of characters in an id.
    public static let length = 26
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// Wraps a text id, checking that it is a ULID (either case; stored upper case).
    public init?(_ text: String) {
        let upper = text.uppercased()
        let bytes = Array(upper.utf8)
        guard bytes.count == Self.length, bytes.allSatisfy({ Self.alphabet.contains($0) }),
              bytes[0] <= UInt8(ascii: "7")  // 26 digits hold 130 bits; a ULID has 128.
        else { return nil }
        rawValue = upper
    }

    /// Builds an id from a millisecond timestamp and 80 bits of randomness (`high` holds the top
    /// 16 bits in its low bits).
    init(milliseconds: UInt64, randomHigh high: UInt16, randomLow low: UInt64) {
        // 128 bits: timestamp(48) | high(16) | low(64), emitted 5 bits at a time from the top.
        let upper = (milliseconds << 16) | UInt64(high)  // bits 127...64
        let lower = low  // bits 63...0
        var characters = [UInt8](repeating: 0, count: Self.length)
        for position in 0..<Self.length {
            // Character 0 holds bits 129...125 (the top two always zero), the last bits 4...0.
            let shift = (Self.length - 1 - position) * 5
            let value: UInt64
            if shift >= 64 {
                value = (upper >> UInt64(shift - 64)) & 0x1F
            } else if shift + 5 <= 64 {
                value = (lower >> UInt64(shift)) & 0x1F
            } else {
                let fromLower = lower >> UInt64(shift)
                let fromUpper = upper << UInt64(64 - shift)
                value = (fromLower | fromUpper) & 0x1F
            }
            characters[position] = Self.alphabet[Int(value)]
        }
        rawValue = String(decoding: characters, as: UTF8.self)
    }

    /// The millisecond timestamp encoded in the first ten characters.
    public var milliseconds: UInt64 {
        var value: UInt64 = 0
        for byte in rawValue.utf8.prefix(10) {
            value = value << 5 | UInt64(Self.alphabet.firstIndex(of: byte) ?? 0)
        }
        return value
    }

    public static func < (lhs: AlertID, rhs: AlertID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = AlertID(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(text.debugDescription) is not a ULID")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
