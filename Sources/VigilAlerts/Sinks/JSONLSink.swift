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
/// alert twice in the file; its `id` tells the copies apart.
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

    private func append(_ line: Data) throws(FileSinkError) {
        try descriptor.withLock { fd throws(FileSinkError) in
            if fd < 0 {
                fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw FileSinkError(path: path, operation: "open", code: errno) }
            }
            do throws(FileSinkError) {
                try Self.writeAll(line, to: fd, path: path)
                guard fsync(fd) == 0 else { throw FileSinkError(path: path, operation: "fsync", code: errno) }
            } catch {
                // Reopen next time: the file may have been rotated away or the disk remounted.
                close(fd)
                fd = -1
                throw error
            }
        }
    }

    private static func writeAll(_ data: Data, to fd: Int32, path: String) throws(FileSinkError) {
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
        if failure != 0 { throw FileSinkError(path: path, operation: "write", code: failure) }
    }
}

/// A file operation of a sink failed.
public struct FileSinkError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The system call that failed.
    public var operation: String
    /// `errno`.
    public var code: Int32

    public var description: String {
        "\(path): \(operation) failed: \(String(cString: strerror(code)))"
    }
}
