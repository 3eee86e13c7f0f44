import Foundation

/// Buffered line output to standard output or standard error.
///
/// Output goes out in large writes rather than a system call per line, and is flushed at the end of
/// each input so a consumer sees each file's result as soon as it is done.
final class LineWriter {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 {
            flush()
        }
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
