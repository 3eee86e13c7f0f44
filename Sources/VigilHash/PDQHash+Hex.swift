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
        var parsed: [UInt64] = [0, 0, 0, 0]
        for (offset, byte) in utf8.enumerated() {
            guard let nibble = Self.nibble(byte) else {
                let index = hex.index(hex.startIndex, offsetBy: offset, limitedBy: hex.endIndex) ?? hex.startIndex
                throw .notHex(offset: offset, character: index < hex.endIndex ? hex[index] : "?")
            }
            // Digit 0 holds bits 255...252, so it lands in the top nibble of the last word.
            let word = 3 - offset / 16
            parsed[word] = (parsed[word] << 4) | UInt64(nibble)
        }
        self.init(words: (parsed[0], parsed[1], parsed[2], parsed[3]))
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

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension PDQHash: CustomStringConvertible {
    public var description: String { hex }
}
