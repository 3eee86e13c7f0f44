import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The streams being published, read from nginx-rtmp's statistics page (`rtmp_stat all`):
/// `rtmp/server/application/live/stream` elements whose own `publishing` child says a publisher
/// is on (a stream with only players waiting has none; a client's `publishing` is not the
/// stream's).
enum NginxRTMPStatistics {
    /// Parses the page.
    ///
    /// - Throws: a reason in words when the bytes are not the statistics XML.
    static func publishedStreams(in data: Data) throws(DiscoveryResponseError) -> [PublishedStream] {
        let reader = StatisticsReader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse() else {
            throw DiscoveryResponseError("not the rtmp_stat XML: \(parser.parserError.map { "\($0.localizedDescription)" } ?? "unreadable")")
        }
        guard reader.sawRoot else { throw DiscoveryResponseError("not the rtmp_stat XML: no <rtmp> root element") }
        // A page cut short (a proxy's timeout, a full disk) must not read as "nothing published".
        guard reader.closedRoot else { throw DiscoveryResponseError("the rtmp_stat XML ends before </rtmp>") }
        return reader.published
    }

    /// Walks the document keeping the path of open elements.
    private final class StatisticsReader: NSObject, XMLParserDelegate {
        var published: [PublishedStream] = []
        var sawRoot = false
        var closedRoot = false
        private var path: [String] = []
        private var text = ""
        private var application = ""
        private var stream: (name: String, publishing: Bool)?

        private static let applicationPath = ["rtmp", "server", "application"]
        private static let streamPath = applicationPath + ["live", "stream"]

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if path.isEmpty, name == "rtmp" { sawRoot = true }
            path.append(name)
            text = ""
            if path == Self.applicationPath { application = "" }
            if path == Self.streamPath { stream = ("", false) }
            if path == Self.streamPath + ["publishing"] { stream?.publishing = true }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            // Names are short; a page stuffing an element with text is cut, not buffered whole.
            let room = PublishedStream.maximumLength * 2 - text.utf8.count
            if room > 0 { text += String(decoding: string.utf8.prefix(room), as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if path == Self.applicationPath + ["name"] { application = text }
            if path == Self.streamPath + ["name"] { stream?.name = text }
            if path == Self.streamPath, let finished = stream {
                if finished.publishing, !finished.name.isEmpty {
                    published.append(PublishedStream(app: application, name: finished.name))
                }
                stream = nil
            }
            if path == ["rtmp"] { closedRoot = true }
            path.removeLast()
            text = ""
        }
    }
}
