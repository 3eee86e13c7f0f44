import Foundation

/// Which files a bank path stands for.
enum BankFiles {
    /// The files `path` stands for: itself when it is a file; the regular, non-hidden files directly
    /// in it, sorted by name, when it is a folder.
    static func expand(_ path: String) throws(BankError) -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw BankError(file: path, line: nil, problem: .notFound)
        }
        guard isDirectory.boolValue else {
            guard isRegularFile(path) else {
                throw BankError(file: path, line: nil, problem: .notRegularFile)
            }
            return [path]
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: path)
        } catch {
            throw BankError(file: path, line: nil, problem: .unreadable(describe(error)))
        }
        let folder = path.hasSuffix("/") ? path : path + "/"
        // Only regular files: a FIFO or device in the folder would block or never end.
        return names.sorted()
            .filter { !$0.hasPrefix(".") }
            .map { folder + $0 }
            .filter(isRegularFile)
    }

    /// Whether `path` is a regular file, following symbolic links.
    private static func isRegularFile(_ path: String) -> Bool {
        let resolved = (path as NSString).resolvingSymlinksInPath
        let type = (try? FileManager.default.attributesOfItem(atPath: resolved))?[.type] as? FileAttributeType
        return type == .typeRegular
    }

    private static func describe(_ error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        return (error as NSError).localizedDescription
    }
}
