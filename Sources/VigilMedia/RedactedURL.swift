/// An input's address as it may be shown: credentials taken out.
///
/// Stream URLs carry secrets: `rtsp://user:password@host/…`, tokens in the query of a signed HLS
/// or SRT address. Only the reader needs them; everything else (alerts, API answers, logs, error
/// messages, `vigil scan` output) names the input by this form. The user information becomes
/// `***`, every query value becomes `***` (the names stay, so the address is still recognisable;
/// a parameter without a value is masked whole), and a fragment is dropped. A secret in the path
/// (an RTMP stream key) is not recognisable as one and stays. Text without `://` (a file path) is unchanged.
///
/// The address is cut by hand rather than through `URLComponents`, which refuses some addresses
/// readers accept: a redaction that fails must not fall back to the secret.
public struct RedactedURL: Sendable, Hashable, CustomStringConvertible {
    /// What stands in for a secret.
    public static let mask = "***"

    /// The address with its credentials masked.
    public let description: String

    /// Masks the credentials of `url`.
    public init(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else {
            description = url
            return
        }
        var shown = String(url[..<schemeEnd.upperBound])
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            shown += Self.mask + "@" + authority[authority.index(after: at)...]
        } else {
            shown += authority
        }
        let afterAuthority = rest[authorityEnd...]
        let withoutFragment = afterAuthority.prefix { $0 != "#" }
        guard let question = withoutFragment.firstIndex(of: "?") else {
            description = shown + withoutFragment
            return
        }
        shown += withoutFragment[..<question] + "?"
        let parameters = withoutFragment[withoutFragment.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false)
        shown += parameters.map { parameter -> String in
            guard let equals = parameter.firstIndex(of: "=") else { return parameter.isEmpty ? "" : Self.mask }
            return parameter[..<equals] + "=" + Self.mask
        }.joined(separator: "&")
        description = shown
    }
}
