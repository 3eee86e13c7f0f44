import Foundation

/// Folders a client-named path must lie under (`api.bank_roots`, `scans.file_roots`).
enum FolderRoots {
    /// Whether `path`, with symbolic links resolved, is one of `roots` or inside one.
    static func contain(_ path: String, roots: [String]) -> Bool {
        let resolved = resolve(path)
        return roots.contains { root in
            let base = resolve(root)
            return resolved == base || resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
    }

    /// `path` made absolute with every symbolic link resolved, also in the folders above a file
    /// that does not exist (yet): a link inside a root must not lead a path out of it.
    private static func resolve(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if let real = realpath(url.path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let parent = url.deletingLastPathComponent()
        guard parent.path != url.path else { return url.path }
        return URL(fileURLWithPath: resolve(parent.path)).appendingPathComponent(url.lastPathComponent).path
    }
}
