import Testing
import VigilHash

@Suite("PDQHash: hex form and distance")
struct PDQHashTests {
    static let sample = "e6cf059c4c6696362cc9d6663cd9c263714169d98327399993363d9c3d9cc666"

    @Test("hex round-trips and is lowercase")
    func hexRoundTrip() throws {
        let hash = try PDQHash(hex: Self.sample)
        #expect(hash.hex == Self.sample)
        #expect(try PDQHash(hex: Self.sample.uppercased()) == hash)
    }

    @Test("the first hex digit holds bits 255...252")
    func bitOrder() throws {
        let top = try PDQHash(hex: "8" + String(repeating: "0", count: 63))
        #expect(top.bit(255))
        #expect(top.popcount == 1)
        let bottom = try PDQHash(hex: String(repeating: "0", count: 63) + "1")
        #expect(bottom.bit(0))
        var built = PDQHash.zero
        built.setBit(255)
        #expect(built == top)
    }

    @Test("wrong lengths are refused with the length", arguments: [0, 63, 65, 128])
    func wrongLength(_ length: Int) {
        let text = String(repeating: "a", count: length)
        #expect(throws: PDQHashFormatError.wrongLength(length)) { try PDQHash(hex: text) }
    }

    @Test("non-hex characters are refused with their position")
    func notHex() {
        var text = Array(Self.sample)
        text[10] = "g"
        #expect(throws: PDQHashFormatError.notHex(offset: 10, character: "g")) { try PDQHash(hex: String(text)) }
        let withNul = String(Self.sample.dropLast()) + "\u{0}"
        #expect(throws: PDQHashFormatError.notHex(offset: 63, character: "\u{0}")) { try PDQHash(hex: withNul) }
        let multibyte = String(Self.sample.dropLast(2)) + "é"
        #expect(throws: PDQHashFormatError.self) { try PDQHash(hex: multibyte) }
    }

    @Test("distance counts differing bits and is symmetric")
    func distance() throws {
        let a = try PDQHash(hex: Self.sample)
        var b = a
        #expect(a.distance(to: b) == 0)
        for bit in [0, 63, 64, 200, 255] {
            b.words = (b.words.0 ^ (bit < 64 ? 1 << UInt64(bit) : 0),
                       b.words.1 ^ (64..<128 ~= bit ? 1 << UInt64(bit - 64) : 0),
                       b.words.2 ^ (128..<192 ~= bit ? 1 << UInt64(bit - 128) : 0),
                       b.words.3 ^ (bit >= 192 ? 1 << UInt64(bit - 192) : 0))
        }
        #expect(a.distance(to: b) == 5)
        #expect(b.distance(to: a) == 5)
        let inverse = PDQHash(words: (~a.words.0, ~a.words.1, ~a.words.2, ~a.words.3))
        #expect(a.distance(to: inverse) == 256)
    }
}
