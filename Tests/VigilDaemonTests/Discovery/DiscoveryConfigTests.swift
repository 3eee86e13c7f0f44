import Testing
@testable import VigilDaemon

@Suite("Config: the discovery section")
struct DiscoveryConfigTests {
    static let head = "api_token: token-0123456789abcdef\n"

    @Test("the three kinds, with defaults and intervals")
    func parses() throws {
        let config = try ConfigLoader.parse(Self.head + """
            discovery:
              - {name: edge, kind: nginx-rtmp, url: "http://127.0.0.1:8080/stat", play_url: "rtmp://127.0.0.1/{app}/{name}", interval: 1s}
              - {name: cams, kind: mediamtx, url: "http://127.0.0.1:9997", play_url: "rtsp://127.0.0.1:8554/{name}"}
              - {name: srs, kind: srs, url: "http://127.0.0.1:1985", play_url: "rtmp://127.0.0.1/{app}/{name}"}
            """, environment: [:])
        #expect(config.discovery.map(\.kind) == [.nginxRTMP, .mediamtx, .srs])
        #expect(config.discovery.map(\.interval) == [1, 2, 2])
        #expect(config.discovery[1].playURL == "rtsp://127.0.0.1:8554/{name}")
    }

    @Test("mistakes are refused with the line and what is wrong", arguments: [
        ("- {kind: srs, url: \"http://h\", play_url: \"rtmp://h/{name}\"}", "name is required"),
        ("- {name: a, kind: wowza, url: \"http://h\", play_url: \"rtmp://h/{name}\"}", "must be nginx-rtmp, mediamtx or srs"),
        ("- {name: a, kind: srs, url: \"ftp://h\", play_url: \"rtmp://h/{name}\"}", "must be an http:// or https:// URL"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"rtmp://h/live\"}", "must contain {name}"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"rtmp://h/{stream}/{name}\"}", "only {app} and {name}"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"gopher://h/{name}\"}", "unsupported scheme"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"/var/{name}\"}", "local files are not accepted"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"rtmp://h/{name}\", interval: 0s}", "interval"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"rtmp://h/{name}\", every: 2s}", "every"),
        ("- {name: a, kind: srs, url: \"http://h\", play_url: \"rtmp://h/{name}\"}\n  - {name: a, kind: srs, url: \"http://h\", play_url: \"rtmp://h/{name}\"}", "used twice"),
    ])
    func refuses(_ entry: String, _ message: String) {
        #expect {
            _ = try ConfigLoader.parse(Self.head + "discovery:\n  " + entry + "\n", file: "vigil.yml", environment: [:])
        } throws: { error in
            let text = "\(error)"
            return text.contains(message) && text.contains("vigil.yml") && text.contains("discovery")
        }
    }
}

