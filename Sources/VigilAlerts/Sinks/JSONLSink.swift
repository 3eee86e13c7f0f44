import Foundation
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Appends each alert as one JSON line to a file and fsyncs it before acknowledging, so an
/// acknowledged alert is on disk. A crash between the write and the acknowledgement can leave an
/// alert twice in the file; its `id` tells the copies apart. A write that fails midway (a full
/// disk) is taken back, and a line a crash cut short is dropped when the file is next opened, so
/// every line in the file is a whole alert.
public final class JSONLSink: AlertSink {
    public let name: String
    /// The file appended to.
    public let path: String
    private let descriptor = Mutex<Int32>(-1)

    /// Creates a sink appending to `path` (created with mode 0600 on first delivery).
    public init(name: String = "jsonl", path: String) {
        self.name = name
        self.path = path
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
        }
    }

    public func deliver(_ delivery: OutgoingAlert) async throws {
        var line = delivery.body
        line.append(0x0A)
        // Writing and fsyncing block: they run on NIO's pool for blocking I/O, never on Swift's
        // cooperative pool, where the API and the alert pipeline run.
        try await NIOThreadPool.singleton.runIfActive { [self, line] in try self.append(line) }
    }

    private func append(_ line: Data) throws(AlertFileError) {
        try descriptor.withLock { fd throws(AlertFileError) in
            if fd < 0 {
                fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw AlertFileError(path: path, operation: "open", code: errno) }
                Self.dropTornLine(fd)
            }
            let start = lseek(fd, 0, SEEK_END)
            do throws(AlertFileError) {
                guard start >= 0 else { throw AlertFileError(path: path, operation: "lseek", code: errno) }
                try Self.writeAll(line, to: fd, path: path)
                guard fsync(fd) == 0 else { throw AlertFileError(path: path, operation: "fsync", code: errno) }
            } catch {
                // Take back what part of the line reached the file (a full disk takes half a
                // line), so that the retry's line does not glue onto a broken one.
                if start >= 0 { _ = ftruncate(fd, start) }
                // Reopen next time: the file may have been rotated away or the disk remounted.
                close(fd)
                fd = -1
                throw error
            }
        }
    }

    /// Cuts a last line without its newline: a write a crash cut short, never acknowledged.
    private static func dropTornLine(_ fd: Int32) {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        var byte: UInt8 = 0
        guard pread(fd, &byte, 1, size - 1) == 1, byte != 0x0A else { return }
        // Look back for the last newline, a block at a time.
        var end = size - 1
        var block = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let from = max(0, end - off_t(block.count))
            let count = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, Int(end - from), from) }
            guard count == Int(end - from) else { return }
            if let newline = block[0..<count].lastIndex(of: 0x0A) {
                _ = ftruncate(fd, from + off_t(newline) + 1)
                return
            }
            end = from
        }
        _ = ftruncate(fd, 0)
    }

    private static func writeAll(_ data: Data, to fd: Int32, path: String) throws(AlertFileError) {
        // Returns the failing errno, or 0; closures over buffers cannot throw typed errors.
        let failure: Int32 = data.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return 0 }
            var offset = 0
            while offset < raw.count {
                let written = write(fd, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
        if failure != 0 { throw AlertFileError(path: path, operation: "write", code: failure) }
    }
}
