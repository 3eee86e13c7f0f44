import Foundation

/// A stream a media server says is being published: its application and name, as the
/// publisher chose them.
///
/// Both come from whoever publishes, so they are never trusted: the stream id is sanitised and
/// the play URL percent-encodes them, so no name can reach another application, another host or
/// a query string.
public struct PublishedStream: Sendable, Hashable {
    /// The application (nginx-rtmp, SRS) or nothing (MediaMTX paths have none).
    public var app: String
    /// The stream's name (MediaMTX: the path, slashes included).
    public var name: String

    /// Creates a published stream.
    public init(app: String, name: String) {
        self.app = app
        self.name = name
    }

    /// Longest accepted application or name; a server listing longer ones is not followed.
    static let maximumLength = 512

    /// The id the daemon watches it under: `{app}-{name}` (or the name alone), every character
    /// that is not a letter, digit, `.`, `_` or `-` replaced by `_`. Ids over 64 characters keep
    /// their first 55 and a hash of the whole, so two long names stay apart.
    public var streamID: String {
        let joined = app.isEmpty ? name : "\(app)-\(name)"
        var scalars = joined.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
                ? Character(scalar) : "_"
        }
        if let first = scalars.first, !(first.isLetter || first.isNumber) { scalars.insert("s", at: 0) }
        var id = String(scalars)
        if id.count > 64 {
            id = String(id.prefix(55)) + "-" + String(FileAlertSpool.checksum(Array(joined.utf8)) & 0xffff_ffff, radix: 16)
        }
        return id
    }

    /// The URL to read it from: `template` with `{app}` and `{name}` put in, percent-encoded
    /// (slashes in a MediaMTX path kept). Nil when a name could climb out of its place (`.`,
    /// `..`, empty segments, no application where the template wants one) or is too long.
    public func playURL(_ template: String) -> String? {
        guard !name.isEmpty, name.utf8.count <= Self.maximumLength, app.utf8.count <= Self.maximumLength,
              !(app.isEmpty && template.contains("{app}")),
              let name = Self.encodePath(name), let app = app.isEmpty ? "" : Self.encodePath(app, slashes: false)
        else { return nil }
        return template.replacingOccurrences(of: "{app}", with: app).replacingOccurrences(of: "{name}", with: name)
    }

    /// Characters kept as they are in a path segment.
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func encodePath(_ text: String, slashes: Bool = true) -> String? {
        let segments = slashes ? text.split(separator: "/", omittingEmptySubsequences: false).map(String.init) : [text]
        var encoded: [String] = []
        for segment in segments {
            guard !segment.isEmpty, segment != ".", segment != "..",
                  let escaped = segment.addingPercentEncoding(withAllowedCharacters: unreserved)
            else { return nil }
            encoded.append(escaped)
        }
        return encoded.joined(separator: "/")
    }
}
