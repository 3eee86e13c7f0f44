import Foundation

/// Benign media made on the fly for tests: ffmpeg test patterns and hand-built hostile files.
public enum SyntheticMedia {
    /// Writes a clip from one of ffmpeg's generated sources (`testsrc2`, `mandelbrot`, ...).
    ///
    /// - Parameters:
    ///   - source: an ffmpeg lavfi source description, e.g. `testsrc2=size=320x240:rate=25`.
    ///   - seconds: clip length.
    ///   - gop: frames between key frames.
    public static func clip(
        _ source: String, seconds: Double, gop: Int = 25, extraArguments: [String] = [], to url: URL
    ) async throws {
        let arguments = ["-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", String(seconds),
                         "-c:v", "libx264", "-preset", "veryfast", "-g", String(gop), "-pix_fmt", "yuv420p"]
            + extraArguments + [url.path]
        let result = try await runProcess("ffmpeg", arguments, timeout: 120)
        guard result.status == 0 else {
            throw SubprocessError(description: "ffmpeg could not make \(url.lastPathComponent): \(result.stderrText)")
        }
    }

    /// Runs ffmpeg quietly with the given arguments (after `-v error -nostdin -y`, so outputs are
    /// overwritten), failing on a non-zero status.
    public static func ffmpeg(_ arguments: [String], timeout: TimeInterval = 120) async throws {
        let result = try await runProcess("ffmpeg", ["-v", "error", "-nostdin", "-y"] + arguments, timeout: timeout)
        guard result.status == 0 else {
            throw SubprocessError(description: "ffmpeg \(arguments.joined(separator: " ")) failed: \(result.stderrText)")
        }
    }

    /// A PNG whose header claims `width`x`height` but which holds only a few bytes of image data:
    /// the classic decompression-bomb header. Checksums are valid, so only the size gives it away.
    public static func pngWithHeader(width: UInt32, height: UInt32) -> Data {
        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(bigEndian: width)
        header.append(bigEndian: height)
        header.append(contentsOf: [8, 2, 0, 0, 0]) // 8-bit RGB, deflate, no filter, no interlace
        png.appendChunk("IHDR", header)
        // A valid zlib stream of one empty stored block: a tiny, truncated picture.
        png.appendChunk("IDAT", Data([0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01]))
        png.appendChunk("IEND", Data())
        return png
    }

    /// CRC-32 (IEEE), as PNG chunks use.
    public static func crc32(_ bytes: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Data {
    mutating func append(bigEndian value: UInt32) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    mutating func appendChunk(_ type: String, _ body: Data) {
        append(bigEndian: UInt32(body.count))
        let typed = Data(type.utf8) + body
        append(typed)
        append(bigEndian: SyntheticMedia.crc32(typed))
    }
}
