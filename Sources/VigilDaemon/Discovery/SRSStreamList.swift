import Foundation

/// One page of SRS's `GET /api/v1/streams/`: `{"code": 0, "streams": [{"app": …, "name": …,
/// "publish": {"active": true, …}, …}]}`. A stream is published while `publish.active` is true;
/// a non-zero `code` is SRS reporting an error.
struct SRSStreamList: Decodable {
    struct Stream: Decodable {
        struct Publish: Decodable {
            var active: Bool
        }

        var app: String
        var name: String
        var publish: Publish?
    }

    var code: Int
    var streams: [Stream]?

    /// Parses one page; the streams published on it and how many entries the page held (SRS says
    /// nothing of pages: a full page means another may follow).
    static func parse(_ data: Data) throws(DiscoveryResponseError) -> (streams: [PublishedStream], entries: Int) {
        let page: SRSStreamList
        do {
            page = try JSONDecoder().decode(SRSStreamList.self, from: data)
        } catch {
            throw .notA("an SRS streams list", error)
        }
        guard page.code == 0 else { throw DiscoveryResponseError("SRS answered error code \(page.code)") }
        let entries = page.streams ?? []
        let streams = entries.filter { $0.publish?.active == true }.map { PublishedStream(app: $0.app, name: $0.name) }
        return (streams, entries.count)
    }
}
