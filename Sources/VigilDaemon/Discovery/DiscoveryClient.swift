import AsyncHTTPClient
import Foundation
import NIOCore
import VigilMedia

/// Asks a media server which streams are being published, over its statistics API.
struct DiscoveryClient: Sendable {
    let client: HTTPClient

    /// Largest answer read from a server: far more than a statistics page of thousands of streams.
    static let maximumBody = 8 << 20
    /// Entries asked for per page (MediaMTX, SRS).
    static let pageSize = 100
    /// Pages read per poll: at most 10,000 streams from one server.
    static let maximumPages = 100

    /// Every stream `spec`'s server publishes now, in its order, duplicates removed.
    func published(_ spec: DiscoverySpec) async throws(DiscoveryError) -> [PublishedStream] {
        var streams: [PublishedStream] = []
        switch spec.kind {
        case .nginxRTMP:
            let data = try await fetch(spec.url, spec: spec)
            streams = try parse(spec) { () throws(DiscoveryResponseError) in try NginxRTMPStatistics.publishedStreams(in: data) }
        case .mediamtx:
            var page = 0
            var pageCount = 1
            while page < min(pageCount, Self.maximumPages) {
                let url = endpoint(spec.url, path: "/v3/paths/list", query: "page=\(page)&itemsPerPage=\(Self.pageSize)")
                let data = try await fetch(url, spec: spec)
                let parsed = try parse(spec) { () throws(DiscoveryResponseError) in try MediaMTXPathList.parse(data) }
                streams += parsed.streams
                pageCount = parsed.pageCount
                page += 1
            }
        case .srs:
            for page in 0..<Self.maximumPages {
                let url = endpoint(spec.url, path: "/api/v1/streams/", query: "start=\(page * Self.pageSize)&count=\(Self.pageSize)")
                let data = try await fetch(url, spec: spec)
                let parsed = try parse(spec) { () throws(DiscoveryResponseError) in try SRSStreamList.parse(data) }
                streams += parsed.streams
                if parsed.entries < Self.pageSize { break }
            }
        }
        var seen = Set<PublishedStream>()
        return streams.filter { seen.insert($0).inserted }
    }

    /// `base` with the API's `path` (unless it already ends with it) and `query`.
    private func endpoint(_ base: String, path: String, query: String) -> String {
        var url = base
        let bare = path.hasSuffix("/") ? String(path.dropLast()) : path
        if !url.hasSuffix(path) && !url.hasSuffix(bare) {
            while url.hasSuffix("/") { url.removeLast() }
            url += path
        }
        return url + (url.contains("?") ? "&" : "?") + query
    }

    /// One GET, its status checked and its body bounded.
    private func fetch(_ url: String, spec: DiscoverySpec) async throws(DiscoveryError) -> Data {
        let shown = RedactedURL(url).description
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: spec.kind == .nginxRTMP ? "application/xml, text/xml" : "application/json")
            let response = try await client.execute(request, timeout: .milliseconds(Int64(spec.pollTimeout * 1000)))
            guard response.status == .ok else {
                throw DiscoveryError(source: spec.name, "\(shown) answered HTTP \(response.status.code)")
            }
            return Data(buffer: try await response.body.collect(upTo: Self.maximumBody))
        } catch let error as DiscoveryError {
            throw error
        } catch is NIOTooManyBytesError {
            throw DiscoveryError(source: spec.name, "\(shown) answered more than \(Self.maximumBody >> 20) MiB")
        } catch {
            throw DiscoveryError(source: spec.name, "\(shown): \(error)")
        }
    }

    private func parse<T>(_ spec: DiscoverySpec, _ body: () throws(DiscoveryResponseError) -> T) throws(DiscoveryError) -> T {
        do {
            return try body()
        } catch {
            throw DiscoveryError(source: spec.name, "\(RedactedURL(spec.url)): \(error)")
        }
    }
}
