import Foundation

/// One page of MediaMTX's `GET /v3/paths/list`: `{"pageCount": N, "items": [{"name": …,
/// "ready": true, …}]}`. A path is published while `ready` (or, in later versions, `online` or
/// `available`) is true; MediaMTX paths have no application.
struct MediaMTXPathList: Decodable {
    struct Item: Decodable {
        var name: String
        var ready: Bool?
        var online: Bool?
        var available: Bool?
    }

    var pageCount: Int?
    var items: [Item]

    /// Parses one page; the streams published on it and how many pages there are.
    static func parse(_ data: Data) throws(DiscoveryResponseError) -> (streams: [PublishedStream], pageCount: Int) {
        let page: MediaMTXPathList
        do {
            page = try JSONDecoder().decode(MediaMTXPathList.self, from: data)
        } catch {
            throw .notA("a MediaMTX paths list", error)
        }
        let streams = page.items.filter { $0.ready == true || $0.online == true || $0.available == true }
            .map { PublishedStream(app: "", name: $0.name) }
        return (streams, max(1, page.pageCount ?? 1))
    }
}
