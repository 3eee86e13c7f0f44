import VigilHash

/// Parsers for the individual fields of bank lines, each failing with a precise `BankProblem`.
enum FieldParsers {
    /// 64 hex digits, either case.
    static func hash(_ text: String) throws(BankProblem) -> PDQHash {
        if text.isEmpty {
            throw .hashEmpty
        }
        // Report a stray character before a wrong length: "character 5 is 'g'" is the better
        // clue when a field is not a hash at all.
        for (offset, character) in text.enumerated() where !(character.isASCII && character.isHexDigit) {
            throw .hashNotHex(position: offset + 1, character: String(character))
        }
        guard text.utf8.count == 64 else {
            throw .hashLength(text.utf8.count)
        }
        do {
            return try PDQHash(hex: text)
        } catch {
            // Unreachable after the checks above; mapped rather than trapped all the same.
            throw .hashLength(text.utf8.count)
        }
    }

    /// An integer quality, 0...100.
    static func quality(_ text: String) throws(BankProblem) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) }),
              let value = Int(text)
        else {
            throw .qualityNotInteger(text)
        }
        guard (0...100).contains(value) else {
            throw .qualityOutOfRange(value)
        }
        return value
    }

    /// A finite, non-negative number of seconds.
    static func timestamp(_ text: String) throws(BankProblem) -> Double {
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw .timestampInvalid(text)
        }
        return value
    }

    /// Whether a field is a vPDQ frame number: 1 to 18 ASCII digits (so it fits an `Int` and can
    /// never be mistaken for a 64-digit hash).
    static func frameNumber(_ text: String) -> Int? {
        guard (1...18).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return nil
        }
        return Int(text)
    }
}
