import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file operation on an alert file (the JSONL sink's, the alert spool) failed.
public struct AlertFileError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// The system call that failed.
    public var operation: String
    /// `errno`.
    public var code: Int32

    /// Describes the failure of `operation` on `path` with `errno` `code`.
    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String {
        "\(path): \(operation) failed: \(String(cString: strerror(code)))"
    }
}
