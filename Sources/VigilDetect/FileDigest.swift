import Crypto
import Foundation
import NIOPosix

/// The MD5 of a file, as the exchanges' `video_md5` signals give it: an exact-copy check that
/// needs no decoding.
enum FileDigest {
    /// Bytes read at a time.
    static let chunkSize = 1 << 20

    /// The file's MD5 in lowercase hex, read on a thread of its own (a large file is seconds of
    /// disk and CPU, which must not hold the cooperative pool).
    static func md5(ofFile path: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { try md5Blocking(path) }
    }

    private static func md5Blocking(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        var digest = Insecure.MD5()
        while let chunk = try handle.read(upToCount: chunkSize), !chunk.isEmpty {
            digest.update(data: chunk)
        }
        return digest.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
