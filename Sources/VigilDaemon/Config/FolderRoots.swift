import Foundation

/// Folders a client-named path must lie under (`api.bank_roots`, `scans.file_roots`).
enum FolderRoots {
    /// Whether `path`, with symbolic links resolved, is one of `roots` or inside one.
    static func contain(_ path: String, roots: [String]) -> Bool {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        return roots.contains { root in
            let base = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
            return resolved == base || resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/")
        }
    }
}
