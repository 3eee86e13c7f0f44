/// A webhook's address as errors, logs and the API show it: scheme, host and port only.
///
/// Receivers often take their token in the path (`/hooks/T0/B0/secret`) or the query, so
/// nothing after the host is shown, nor any user information before it; the sink's name says
/// which webhook it is.
public struct ShownEndpoint: Sendable, CustomStringConvertible {
    /// `scheme://host:port`, then `/***` when the address went on.
    public let description: String

    /// The shown form of `url`; text that is no URL at all is masked whole.
    public init(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else {
            description = "***"
            return
        }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var host = rest[..<authorityEnd]
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        let hidden = authorityEnd < rest.endIndex ? "/***" : ""
        description = url[..<schemeEnd.upperBound] + host + hidden
    }
}
