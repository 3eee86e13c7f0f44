/// Why a string is not a PDQ hash.
public enum PDQHashFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The string does not have exactly 64 characters.
    case wrongLength(Int)
    /// The character at `offset` is not a hex digit.
    case notHex(offset: Int, character: Character)

    public var description: String {
        switch self {
        case .wrongLength(let count):
            return "expected 64 hex digits, found \(count) characters"
        case .notHex(let offset, let character):
            return "character \(offset + 1) (\(character.debugDescription)) is not a hex digit"
        }
    }
}

extension PDQHash {
    /// Parses 64 hex digits (either case), most significant first.
    public init(hex: some StringProtocol) throws(PDQHashFormatError) {
        let utf8 = hex.utf8
        guard utf8.count == 64 else {
            throw .wrongLength(hex.count)
        }
        let parsed = utf8.withContiguousStorageIfAvailable { Self(hexDigits: $0.baseAddress!) }
            ?? Array(utf8).withUnsafeBufferPointer { Self(hexDigits: $0.baseAddress!) }
        guard let parsed else {
            let offset = utf8.firstIndex { Self.nibbleValues[Int($0)] > 15 }.map { utf8.distance(from: utf8.startIndex, to: $0) } ?? 0
            let index = hex.index(hex.startIndex, offsetBy: offset, limitedBy: hex.endIndex) ?? hex.startIndex
            throw .notHex(offset: offset, character: index < hex.endIndex ? hex[index] : "?")
        }
        self = parsed
    }

    /// Parses the 64 bytes at `digits` as hex digits (either case), most significant first; nil
    /// when any of them is not a hex digit.
    ///
    /// The bank loader's and `vigil match`'s hot path: a table lookup per digit and no branch on
    /// the digits' values, so a line costs the same whatever it holds.
    @inline(__always)
    public init?(hexDigits digits: UnsafePointer<UInt8>) {
        let parsed = Self.nibbleValues.withUnsafeBufferPointer { table -> (UInt64, UInt64, UInt64, UInt64)? in
            var invalid: UInt8 = 0
            // Digit 0 holds bits 255...252, so the first 16 digits make the last word.
            func word(_ first: Int) -> UInt64 {
                var value: UInt64 = 0
                for offset in first..<(first + 16) {
                    let nibble = table[Int(digits[offset])]
                    invalid |= nibble
                    value = (value << 4) | UInt64(nibble & 0x0F)
                }
                return value
            }
            let words = (word(48), word(32), word(16), word(0))
            return invalid & 0xF0 == 0 ? words : nil
        }
        guard let parsed else { return nil }
        self.init(words: parsed)
    }

    /// The 64 lowercase hex digits, most significant first.
    public var hex: String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(64)
        let digits = Array("0123456789abcdef".utf8)
        for wordIndex in stride(from: 3, through: 0, by: -1) {
            let value = word(wordIndex)
            for shift in stride(from: 60, through: 0, by: -4) {
                bytes.append(digits[Int((value >> UInt64(shift)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Each byte's value as a hex digit, 0xFF for bytes that are not one.
    private static let nibbleValues: [UInt8] = (0...255).map { byte -> UInt8 in
        switch UInt8(byte) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt8(byte) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt8(byte) - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt8(byte) - UInt8(ascii: "A") + 10
        default: return 0xFF
        }
    }
}

extension PDQHash: CustomStringConvertible {
    public var description: String { hex }
}
