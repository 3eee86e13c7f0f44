/// Reads the declared picture size straight from the first bytes of common image formats.
///
/// FFmpeg's image decoders refuse absurd sizes while probing and then report the stream as 0x0,
/// which would hide the real reason. Reading the header lets the reader say "too large" instead.
enum ImageHeader {
    /// The width and height the header declares, or `nil` when the bytes are not a recognised
    /// PNG, JPEG, GIF, BMP or WebP header.
    static func declaredSize(of bytes: [UInt8]) -> (width: Int, height: Int)? {
        png(bytes) ?? jpeg(bytes) ?? gif(bytes) ?? bmp(bytes) ?? webp(bytes)
    }

    private static func png(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count >= 24, Array(bytes[0..<8]) == signature,
              Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (bigEndian(bytes, at: 16, count: 4), bigEndian(bytes, at: 20, count: 4))
    }

    private static func jpeg(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var offset = 2
        while offset + 1 < bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            offset += 2
            switch marker {
            case 0xFF:
                offset -= 1 // fill byte: the next 0xFF starts the marker
                continue
            case 0x01, 0xD0...0xD7:
                continue // markers without a length field
            case 0xD9, 0xDA:
                return nil // end of image or start of scan before any frame header
            default:
                break
            }
            guard offset + 2 <= bytes.count else { return nil }
            let length = bigEndian(bytes, at: offset, count: 2)
            guard length >= 2 else { return nil }
            // SOF0...SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard offset + 7 <= bytes.count else { return nil }
                return (bigEndian(bytes, at: offset + 5, count: 2), bigEndian(bytes, at: offset + 3, count: 2))
            }
            offset += length
        }
        return nil
    }

    private static func gif(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 10,
              Array(bytes[0..<6]) == Array("GIF87a".utf8) || Array(bytes[0..<6]) == Array("GIF89a".utf8)
        else { return nil }
        return (littleEndian(bytes, at: 6, count: 2), littleEndian(bytes, at: 8, count: 2))
    }

    private static func bmp(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 26, bytes[0] == 0x42, bytes[1] == 0x4D else { return nil }
        let width = Int(Int32(bitPattern: UInt32(littleEndian(bytes, at: 18, count: 4))))
        // A negative height marks a top-down bitmap; the size is its magnitude.
        let height = Int(Int32(bitPattern: UInt32(littleEndian(bytes, at: 22, count: 4))))
        return (width, abs(height))
    }

    private static func webp(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.count >= 30, Array(bytes[0..<4]) == Array("RIFF".utf8),
              Array(bytes[8..<12]) == Array("WEBP".utf8) else { return nil }
        switch String(decoding: bytes[12..<16], as: UTF8.self) {
        case "VP8X":
            return (littleEndian(bytes, at: 24, count: 3) + 1, littleEndian(bytes, at: 27, count: 3) + 1)
        case "VP8L":
            guard bytes[20] == 0x2F else { return nil }
            let bits = littleEndian(bytes, at: 21, count: 4)
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8 ":
            return (littleEndian(bytes, at: 26, count: 2) & 0x3FFF, littleEndian(bytes, at: 28, count: 2) & 0x3FFF)
        default:
            return nil
        }
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> Int {
        bytes[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) }
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> Int {
        bytes[offset..<offset + count].reversed().reduce(0) { $0 << 8 | Int($1) }
    }
}
