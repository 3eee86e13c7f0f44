import Foundation

/// The size and modification time of every file a bank reads, to notice edits without reading
/// the files again. Cheap enough to poll every few seconds.
struct FileSignature: Sendable, Equatable {
    private var files: [String: Stamp]

    private struct Stamp: Equatable {
        var size: UInt64
        var modified: Double
        var inode: UInt64
    }

    /// The current signature of `paths` (files, and the regular files directly in folders).
    init(paths: [String]) {
        var files: [String: Stamp] = [:]
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                files[path] = Stamp(size: 0, modified: -1, inode: 0)
                continue
            }
            let members = isDirectory.boolValue
                ? ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.map { path + "/" + $0 }
                : [path]
            if isDirectory.boolValue, let stamp = Self.stamp(path) { files[path + "/"] = stamp }
            for member in members {
                if let stamp = Self.stamp(member) { files[member] = stamp }
            }
        }
        self.files = files
    }

    private static func stamp(_ path: String) -> Stamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return Stamp(
            size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0)
    }
}
