import Foundation
import VigilHash
import VigilMatch

/// Deterministic hashes and small helpers shared by the bank and video-rule tests.
enum TestHashes {
    /// Well-known sample hashes (from the vPDQ fixture), lowercase.
    static let a = "e6cf059c4c6696362cc9d6663cd9c263714169d98327399993363d9c3d9cc666"
    static let b = "64c4271cc4e794b66e4c94f61b19c0e3b3cb6b4981f33b19b5b61b1c1f1cc4e6"
    static let c = "f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95"

    /// `count` pseudo-random hashes from `seed`; two random hashes differ in about 128 bits, far
    /// beyond any match threshold.
    static func random(_ count: Int, seed: UInt64) -> [PDQHash] {
        var state = seed
        func next() -> UInt64 {
            // SplitMix64: a tiny, well-mixed generator, so tests need no random-number package.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return (0..<count).map { _ in PDQHash(words: (next(), next(), next(), next())) }
    }

    /// `hash` with its lowest `bits` bits flipped: exactly `bits` away from it.
    static func flipped(_ hash: PDQHash, bits: Int) -> PDQHash {
        var words = [hash.word(0), hash.word(1), hash.word(2), hash.word(3)]
        for bit in 0..<bits {
            words[bit / 64] ^= UInt64(1) << UInt64(bit % 64)
        }
        return PDQHash(words: (words[0], words[1], words[2], words[3]))
    }

    static func hash(_ hex: String) -> PDQHash {
        (try? PDQHash(hex: hex)) ?? .zero
    }
}

/// Parses text as one bank file named `file`.
func parse(_ text: String, file: String = "known.csv", skipInvalid: Bool = false) throws(BankError) -> BankLoadResult {
    try BankLoader.parse(data: Data(text.utf8), file: file, skipInvalid: skipInvalid)
}

/// The error that parsing `text` throws, nil when it loads.
func parseError(_ text: String, file: String = "known.csv") -> BankError? {
    parseError(Data(text.utf8), file: file)
}

/// The error that parsing `data` throws, nil when it loads.
func parseError(_ data: Data, file: String = "known.csv") -> BankError? {
    do {
        _ = try BankLoader.parse(data: data, file: file)
        return nil
    } catch {
        return error
    }
}
