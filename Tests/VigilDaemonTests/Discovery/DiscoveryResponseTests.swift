import Foundation
import Testing
@testable import VigilDaemon
import VigilTestSupport

@Suite("Media servers' statistics answers")
struct DiscoveryResponseTests {
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("discovery/\(name)")))
    }

    @Test("nginx-rtmp: streams with a publisher, per application; waiting players and client-level flags are not publishing")
    func nginxStatistics() throws {
        let streams = try NginxRTMPStatistics.publishedStreams(in: Self.fixture("nginx-rtmp-stat.xml"))
        #expect(streams == [PublishedStream(app: "live", name: "we<ird&x"), PublishedStream(app: "studio", name: "cam1")])
    }

    @Test("nginx-rtmp: an empty server publishes nothing")
    func nginxEmpty() throws {
        let page = Data("<?xml version=\"1.0\"?><rtmp><server><application><name>live</name><live><nclients>0</nclients></live></application></server></rtmp>".utf8)
        #expect(try NginxRTMPStatistics.publishedStreams(in: page).isEmpty)
    }

    @Test("nginx-rtmp: anything but the statistics XML is an error naming what is wrong", arguments: [
        "", "not xml at all", "{\"streams\": []}", "<html><body>502 Bad Gateway</body></html>",
        "<rtmp><server><application><name>live", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaa\">]><rtmp>&b;</rtmp>",
    ])
    func nginxHostile(_ text: String) {
        #expect(throws: DiscoveryResponseError.self) { try NginxRTMPStatistics.publishedStreams(in: Data(text.utf8)) }
    }

    @Test("nginx-rtmp: a name stuffed with megabytes of text is cut, not buffered whole")
    func nginxHugeName() throws {
        let huge = String(repeating: "a", count: 2 << 20)
        let page = Data("<rtmp><server><application><name>live</name><live><stream><name>\(huge)</name><publishing/></stream></live></application></server></rtmp>".utf8)
        let streams = try NginxRTMPStatistics.publishedStreams(in: page)
        #expect(streams.count == 1)
        #expect(try #require(streams.first).name.utf8.count < 4 * PublishedStream.maximumLength)
        // Too long to be read: no play URL, so never watched.
        #expect(try #require(streams.first).playURL("rtmp://127.0.0.1/{app}/{name}") == nil)
    }

    @Test("MediaMTX: ready paths, slashes kept; not-ready ones left out")
    func mediamtx() throws {
        let page = try MediaMTXPathList.parse(Self.fixture("mediamtx-paths.json"))
        #expect(page.streams == [PublishedStream(app: "", name: "cam1"), PublishedStream(app: "", name: "floor/2/door")])
        #expect(page.pageCount == 1)
        let later = try MediaMTXPathList.parse(Data(#"{"pageCount": 3, "items": [{"name": "a", "online": true}, {"name": "b", "available": false}]}"#.utf8))
        #expect(later.streams == [PublishedStream(app: "", name: "a")])
        #expect(later.pageCount == 3)
    }

    @Test("SRS: streams whose publisher is active; an error code is an error")
    func srs() throws {
        let page = try SRSStreamList.parse(Self.fixture("srs-streams.json"))
        #expect(page.streams == [PublishedStream(app: "live", name: "livestream")])
        #expect(page.entries == 2)
        #expect(throws: DiscoveryResponseError.self) { try SRSStreamList.parse(Data(#"{"code": 1002, "streams": []}"#.utf8)) }
    }

    @Test("JSON answers that are not the documented shape are errors saying where", arguments: [
        "", "[]", "null", "{}", #"{"items": "x"}"#, #"{"items": [{"ready": true}]}"#, #"{"code": 0, "streams": [{"name": 1}]}"#,
        "deeply nested",
    ])
    func jsonHostile(_ text: String) {
        let body = text == "deeply nested" ? String(repeating: "[", count: 100_000) : text
        #expect(throws: DiscoveryResponseError.self) { try MediaMTXPathList.parse(Data(body.utf8)) }
        #expect(throws: DiscoveryResponseError.self) { try SRSStreamList.parse(Data(body.utf8)) }
    }
}

@Suite("Published streams: ids and play URLs from names publishers choose")
struct PublishedStreamTests {
    @Test("ids are {app}-{name}, sanitised; long ones stay apart")
    func ids() {
        #expect(PublishedStream(app: "live", name: "cam1").streamID == "live-cam1")
        #expect(PublishedStream(app: "", name: "floor/2/door").streamID == "floor_2_door")
        #expect(PublishedStream(app: "live", name: "we<ird&x é").streamID == "live-we_ird_x__")
        #expect(PublishedStream(app: "", name: "-dash").streamID == "s-dash")
        let long1 = PublishedStream(app: "live", name: String(repeating: "a", count: 100) + "1").streamID
        let long2 = PublishedStream(app: "live", name: String(repeating: "a", count: 100) + "2").streamID
        #expect(long1.count <= 64 && long2.count <= 64 && long1 != long2)
        for id in [long1, long2, PublishedStream(app: "ü", name: "../../etc").streamID] {
            #expect(StreamURLPolicy.isValidIdentifier(id), "\(id)")
        }
    }

    @Test("play URLs percent-encode names: no other application, host, port or query can be reached")
    func playURLs() {
        let template = "rtmp://127.0.0.1:1935/{app}/{name}"
        #expect(PublishedStream(app: "live", name: "cam1").playURL(template) == "rtmp://127.0.0.1:1935/live/cam1")
        #expect(PublishedStream(app: "live", name: "a b?c=d#e@f:g").playURL(template) == "rtmp://127.0.0.1:1935/live/a%20b%3Fc%3Dd%23e%40f%3Ag")
        #expect(PublishedStream(app: "live", name: "x/y").playURL(template) == "rtmp://127.0.0.1:1935/live/x/y")
        #expect(PublishedStream(app: "li/ve", name: "x").playURL(template) == "rtmp://127.0.0.1:1935/li%2Fve/x")
        for name in ["..", ".", "../other/x", "x//y", "", "x/"] {
            #expect(PublishedStream(app: "live", name: name).playURL(template) == nil, "\(name.debugDescription)")
        }
        #expect(PublishedStream(app: "", name: "floor/2/door").playURL("rtsp://127.0.0.1:8554/{name}") == "rtsp://127.0.0.1:8554/floor/2/door")
        #expect(PublishedStream(app: "", name: "cam").playURL(template) == nil, "no application where the template wants one")
    }
}

@Suite("nginx-rtmp statistics: the page's own scanner")
struct NginxRTMPScannerTests {
    @Test("comments, declarations, attributes, character references and self-closing elements read as XML reads them")
    func xmlFeatures() throws {
        let page = """
            <?xml version="1.0"?><!-- nginx --><rtmp version="1"><server><application><name>l&#105;ve</name>
            <live><stream><name>a&#x26;b &quot;c&quot; &unknown; &amp</name><publishing /></stream></live></application></server></rtmp>
            """
        #expect(try NginxRTMPStatistics.publishedStreams(in: Data(page.utf8)) == [PublishedStream(app: "live", name: "a&b \"c\" &unknown; &amp")])
    }

    @Test("malformed pages are errors, never crashes", arguments: [
        "<rtmp><server></rtmp>", "<rtmp></rtmp><rtmp></rtmp>", "<html></html>", "<rtmp><a", "<rtmp><!-- open",
        "<rtmp><\u{FF}\u{FE}></\u{FF}\u{FE}>", "<rtmp></ >", "<rtmp><></></rtmp>",
    ])
    func malformed(_ page: String) {
        #expect(throws: DiscoveryResponseError.self) { try NginxRTMPStatistics.publishedStreams(in: Data(page.utf8)) }
    }

    @Test("invalid UTF-8 in element names and text, and nesting past the limit")
    func bytes() {
        var page = Data("<rtmp><server><application><name>".utf8) + Data([0xC3, 0x28, 0xFF]) + Data("</name><".utf8)
        page += Data([0xFF, 0xFE]) + Data("/></application></server></rtmp>".utf8)
        #expect((try? NginxRTMPStatistics.publishedStreams(in: page)) == [])
        let deep = "<rtmp>" + String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100) + "</rtmp>"
        #expect(throws: DiscoveryResponseError.self) { try NginxRTMPStatistics.publishedStreams(in: Data(deep.utf8)) }
    }
}
