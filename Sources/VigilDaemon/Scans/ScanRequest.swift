import Foundation
import VigilAlerts

/// A `POST /v1/scans` body, checked: `{"source": path-or-URL, "id": optional, "callback": optional}`.
///
/// Only the shape is checked here; whether this daemon may read the source (file roots, the
/// egress policy) is the core's decision.
public struct ScanRequest: Sendable, Equatable {
    /// The client's id for the job; nil lets the daemon choose one.
    public var id: String?
    /// A file path or an HTTP(S) URL.
    public var source: String
    /// Metadata echoed in the job's alerts.
    public var callback: JSONValue?

    /// Longest client id: a job's alerts name it in their `stream` (`scan:` and the id), which
    /// holds at most 64 characters.
    public static let maximumIDLength = 48
    /// Largest `callback`, as JSON text: it is copied into every alert of the job.
    public static let maximumCallbackBytes = 4096
    /// Deepest nesting of arrays and objects in a `callback`: every encoder on an alert's way
    /// (the outbox, the sinks, the API) must take it, and some refuse a few hundred levels.
    public static let maximumCallbackDepth = 16

    /// Creates a request.
    public init(id: String? = nil, source: String, callback: JSONValue? = nil) {
        self.id = id
        self.source = source
        self.callback = callback
    }

    /// Parses and checks a request body.
    public static func parse(_ body: Data) throws(ScanRequestError) -> ScanRequest {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: body)
        } catch {
            throw ScanRequestError("the body is not JSON")
        }
        guard case .object(let fields) = value else { throw ScanRequestError("the body must be a JSON object") }
        if let unknown = fields.keys.sorted().first(where: { !["source", "id", "callback"].contains($0) }) {
            throw ScanRequestError("unknown field \(unknown.debugDescription) (fields: source, id, callback)")
        }
        guard case .string(let source)? = fields["source"] else {
            throw ScanRequestError("source: required, a file path or an http(s):// URL")
        }
        if let problem = problem(withSource: source) { throw ScanRequestError("source: \(problem)") }
        var request = ScanRequest(source: source)
        switch fields["id"] {
        case nil, .null?: break
        case .string(let id)?:
            guard isValidID(id) else {
                throw ScanRequestError("id: 1 to \(maximumIDLength) letters, digits, '.', '_' or '-', starting with a letter or digit")
            }
            request.id = id
        default: throw ScanRequestError("id: must be a string")
        }
        if let callback = fields["callback"], callback != .null {
            guard callback.depth <= maximumCallbackDepth else {
                throw ScanRequestError("callback: nested deeper than \(maximumCallbackDepth) arrays or objects")
            }
            guard callback.data.count <= maximumCallbackBytes else {
                throw ScanRequestError("callback: larger than \(maximumCallbackBytes) bytes as JSON")
            }
            request.callback = callback
        }
        return request
    }

    /// Why `source` cannot be a scan's, or nil: a recording is a file or an HTTP(S) resource;
    /// live protocols are watched as streams.
    static func problem(withSource source: String) -> String? {
        if let problem = StreamURLPolicy.problem(with: source, allowFiles: true) { return problem }
        guard let scheme = StreamURLPolicy.scheme(of: source), scheme != "file" else { return nil }
        guard scheme == "http" || scheme == "https" else {
            return "\(scheme) is a live protocol; a scan reads a file or an http(s):// URL (watch live sources with POST /v1/streams)"
        }
        return nil
    }

    /// Whether `id` can name a job.
    static func isValidID(_ id: String) -> Bool {
        let scalars = id.unicodeScalars
        guard (1...maximumIDLength).contains(id.utf8.count), let first = scalars.first, isLetterOrDigit(first) else { return false }
        return scalars.allSatisfy { isLetterOrDigit($0) || "._-".unicodeScalars.contains($0) }
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}

/// A scan request the API refuses as malformed (422), with the field and the problem.
public struct ScanRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
