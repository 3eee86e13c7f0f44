import Foundation

/// Builds small PNG files byte by byte, including ones whose header lies about their size.
enum PNGBuilder {
    /// A PNG with the given IHDR size (8-bit RGB) and `rows` of raw RGB pixels in its IDAT.
    ///
    /// `rows` need not match the header: a 20000x20000 header with a one-row payload is how a
    /// hostile file claims a huge picture without shipping one.
    static func png(width: UInt32, height: UInt32, rows: [[UInt8]]) -> Data {
        var ihdr: [UInt8] = []
        ihdr += bigEndian(width)
        ihdr += bigEndian(height)
        ihdr += [8, 2, 0, 0, 0] // bit depth 8, colour type RGB, deflate, adaptive filters, no interlace
        var scanlines: [UInt8] = []
        for row in rows {
            scanlines.append(0) // filter type None
            scanlines += row
        }
        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", ihdr)
        file += chunk("IDAT", zlibStored(scanlines))
        file += chunk("IEND", [])
        return Data(file)
    }

    private static func chunk(_ type: String, _ payload: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return bigEndian(UInt32(payload.count)) + typeBytes + payload + bigEndian(crc32(typeBytes + payload))
    }

    /// A zlib stream made of uncompressed ("stored") deflate blocks.
    private static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, data.count - offset)
            let isLast: UInt8 = offset + count == data.count ? 1 : 0
            let length = UInt16(count)
            out.append(isLast)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += data[offset..<offset + count]
            offset += count
        } while offset < data.count
        return out + bigEndian(adler32(data))
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return ~crc
    }

    private static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
