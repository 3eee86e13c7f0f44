import Foundation
import Testing
import VigilAlerts
@testable import VigilDaemon

@Suite("Scan requests")
struct ScanRequestTests {
    static func parse(_ text: String) throws(ScanRequestError) -> ScanRequest {
        try ScanRequest.parse(Data(text.utf8))
    }

    @Test("a path or an http(s) URL, an optional id and any JSON callback")
    func accepted() throws {
        let request = try Self.parse(#"{"source":"/srv/uploads/a.mp4","id":"upload-1.v2","callback":{"user":7,"tags":["x"]}}"#)
        #expect(request == ScanRequest(
            id: "upload-1.v2", source: "/srv/uploads/a.mp4",
            callback: .object(["user": .number(7), "tags": .array([.string("x")])])))
        #expect(try Self.parse(#"{"source":"https://cdn.example/v/1.mp4"}"#).id == nil)
        #expect(try Self.parse(#"{"source":"file:///srv/a.mp4","id":null,"callback":null}"#).callback == nil)
    }

    @Test("malformed bodies are refused with the field named", arguments: [
        ("[]", "JSON object"),
        ("not json", "not JSON"),
        (#"{"id":"a"}"#, "source: required"),
        (#"{"source":7}"#, "source: required"),
        (#"{"source":"/a.mp4","extra":1}"#, "unknown field \"extra\""),
        (#"{"source":"rtmp://127.0.0.1/live/x"}"#, "live protocol"),
        (#"{"source":"srt://127.0.0.1:9000"}"#, "live protocol"),
        (#"{"source":"gopher://host/x"}"#, "unsupported scheme"),
        (#"{"source":""}"#, "is empty"),
        (#"{"source":"/a.mp4","id":"-leading"}"#, "id:"),
        (#"{"source":"/a.mp4","id":"has space"}"#, "id:"),
        (#"{"source":"/a.mp4","id":"scan:colon"}"#, "id:"),
        (#"{"source":"/a.mp4","id":7}"#, "id: must be a string"),
    ])
    func refused(body: String, problem: String) {
        #expect {
            try Self.parse(body)
        } throws: { error in
            "\(error)".contains(problem)
        }
    }

    @Test("ids are bounded so that a job's stream name fits an alert's")
    func idLength() throws {
        let longest = String(repeating: "a", count: ScanRequest.maximumIDLength)
        #expect(try Self.parse(#"{"source":"/a.mp4","id":"\#(longest)"}"#).id == longest)
        #expect(ScanReference.streamName(job: longest).count <= 64)
        #expect(throws: ScanRequestError.self) { try Self.parse(#"{"source":"/a.mp4","id":"\#(longest)a"}"#) }
    }

    @Test("a callback larger than 4 KiB is refused")
    func callbackSize() {
        let big = String(repeating: "x", count: ScanRequest.maximumCallbackBytes)
        #expect(throws: ScanRequestError.self) { try Self.parse(#"{"source":"/a.mp4","callback":"\#(big)"}"#) }
    }

    @Test("a callback nested deeper than 16 levels is refused before anything tries to encode it")
    func callbackDepth() throws {
        let deep = String(repeating: "[", count: 17) + String(repeating: "]", count: 17)
        #expect(throws: ScanRequestError.self) { try Self.parse(#"{"source":"/a.mp4","callback":\#(deep)}"#) }
        let fine = String(repeating: "[", count: 16) + String(repeating: "]", count: 16)
        #expect(try Self.parse(#"{"source":"/a.mp4","callback":\#(fine)}"#).callback?.depth == 16)
        let hostile = String(repeating: "[", count: 510) + String(repeating: "]", count: 510)
        #expect(throws: ScanRequestError.self) { try Self.parse(#"{"source":"/a.mp4","callback":\#(hostile)}"#) }
    }

    @Test("files must lie under scans.file_roots, symbolic links resolved")
    func fileRoots() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scan-roots-\(UUID())")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("scan-outside-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(at: outside)
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("escape").path, withDestinationPath: outside.path)
        var config = ScansConfig()
        #expect(config.refusal(of: root.appendingPathComponent("a.mp4").path)?.contains("scans.file_roots") == true)
        config.fileRoots = [root.path]
        #expect(config.refusal(of: root.appendingPathComponent("a.mp4").path) == nil)
        #expect(config.refusal(of: "file://" + root.appendingPathComponent("a.mp4").path) == nil)
        #expect(config.refusal(of: root.appendingPathComponent("../x.mp4").path) != nil)
        #expect(config.refusal(of: root.appendingPathComponent("escape/x.mp4").path) != nil)
        #expect(config.refusal(of: "http://127.0.0.1/a.mp4") == nil)
    }
}
