import Foundation

/// A small tmpfs mounted for a test, so that a test can fill a real filesystem: writes past its
/// size fail with "No space left on device" as on a full disk. Mounting needs root (as CI runs);
/// without it the test fails, naming why, rather than passing unrun.
public final class TmpfsMount: Sendable {
    /// The mount point.
    public let path: String

    /// Mounts a tmpfs of `bytes` (rounded up to pages) at a new folder under `parent`.
    public static func mount(bytes: Int, under parent: URL) async throws -> TmpfsMount {
        let path = parent.appendingPathComponent("small-fs-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try await runProcess("mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0700", "tmpfs", path], timeout: 30)
        guard result.status == 0 else {
            throw SubprocessError(description: "mounting a \(bytes)-byte tmpfs at \(path) failed (needs root): \(result.stderrText)")
        }
        return TmpfsMount(path: path)
    }

    private init(path: String) {
        self.path = path
    }

    /// Fills the filesystem: writes a file of zeros at `name` until the disk refuses more.
    /// Returns its size.
    @discardableResult
    public func fill(name: String = "filler") throws -> Int {
        let filler = URL(fileURLWithPath: path).appendingPathComponent(name).path
        guard let handle = FileHandle(forWritingAtPath: filler) ?? {
            FileManager.default.createFile(atPath: filler, contents: nil)
            return FileHandle(forWritingAtPath: filler)
        }() else { throw SubprocessError(description: "cannot create \(filler)") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        var written = 0
        let block = Data(repeating: 0, count: 4096)
        // Page-sized writes until one fails; then single bytes, so the last page is full too.
        while (try? handle.write(contentsOf: block)) != nil { written += block.count }
        while (try? handle.write(contentsOf: Data([0]))) != nil { written += 1 }
        return written
    }

    /// Frees what ``fill(name:)`` took.
    public func free(name: String = "filler") {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).appendingPathComponent(name).path)
    }

    /// Unmounts (lazily, so a file a test left open does not keep it) and removes the folder.
    public func unmount() async {
        _ = try? await runProcess("umount", ["-l", path], timeout: 30)
        try? FileManager.default.removeItem(atPath: path)
    }
}
