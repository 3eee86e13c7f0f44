import Foundation
import VigilMedia

/// Which stream sources the daemon accepts, and the checks behind a clear refusal.
public enum StreamURLPolicy {
    /// Network schemes live video is read from: exactly the network kinds VigilMedia's
    /// `StreamSource` opens, so a URL the config or API accepts is one the reader takes.
    public static let networkSchemes: Set<String> = Set(
        StreamSource.Kind.allCases.filter { $0 != .file && $0 != .pipe }.map(\.rawValue))
    /// Longest accepted URL.
    public static let maximumLength = 2048

    /// Whether `url` names a local file: a path, or `file://`.
    public static func isFile(_ url: String) -> Bool {
        guard let scheme = scheme(of: url) else { return true }
        return scheme == "file"
    }

    /// Checks `url`; returns the problem in words, or nil when it is acceptable.
    ///
    /// - Parameter allowFiles: whether local files are accepted (config streams; API streams only
    ///   when the config says `api.allow_file_sources: true`, since a file path from a client
    ///   would let it make the daemon read any file it can).
    public static func problem(with url: String, allowFiles: Bool) -> String? {
        if url.isEmpty { return "is empty" }
        if url.utf8.count > maximumLength { return "is longer than \(maximumLength) bytes" }
        if url.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) {
            return "contains spaces or control characters"
        }
        guard let scheme = scheme(of: url) else {
            return allowFiles ? nil : "local files are not accepted here (set api.allow_file_sources: true to allow them)"
        }
        if scheme == "file" {
            guard allowFiles else {
                return "file:// sources are not accepted here (set api.allow_file_sources: true to allow them)"
            }
            return URL(string: url)?.path.isEmpty == false ? nil : "is not a valid file:// URL"
        }
        guard networkSchemes.contains(scheme) else {
            return "unsupported scheme \"\(scheme)\" (supported: \(networkSchemes.sorted().joined(separator: ", "))"
                + (allowFiles ? ", file" : "") + ")"
        }
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            return "is not a valid \(scheme) URL (no host)"
        }
        do {
            _ = try StreamSource(url)
        } catch {
            if case .unsupportedSource(_, let reason) = error { return reason }
            return "\(error)"
        }
        return nil
    }

    /// The lowercased scheme, or nil for a plain path. A single letter before `:` is a Windows
    /// drive, not a scheme.
    static func scheme(of url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let candidate = url[..<colon]
        guard candidate.count > 1, let first = candidate.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
              candidate.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        return candidate.lowercased()
    }

    /// Whether `id` is a valid stream or bank identifier.
    public static func isValidIdentifier(_ id: String) -> Bool {
        let scalars = Array(id.unicodeScalars)
        guard (1...64).contains(scalars.count), let first = scalars.first, isAlphanumeric(first) else { return false }
        return scalars.allSatisfy { isAlphanumeric($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
    }
}
