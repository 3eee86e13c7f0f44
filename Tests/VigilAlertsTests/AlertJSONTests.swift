import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

@Suite("Alert JSON")
struct AlertJSONTests {
    @Test("keys are exactly those of the documented alert, snake_case, with millisecond UTC times")
    func keys() throws {
        let alert = TestAlerts.alert(2)
        let object = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(alert)) as? [String: Any])
        #expect(Set(object.keys) == [
            "kind", "id", "stream", "source", "bank", "entry", "distance", "quality", "frame", "hash", "video_match",
            "first_seen", "last_seen", "frames_matched",
        ])
        let frame = try #require(object["frame"] as? [String: Any])
        #expect(Set(frame.keys) == ["pts_seconds", "keyframe", "observed_at"])
        #expect(frame["observed_at"] as? String == "2027-01-15T08:00:02.000Z")
        let video = try #require(object["video_match"] as? [String: Any])
        #expect(Set(video.keys) == ["query_pct", "compared_pct"])
        #expect((try #require(object["entry"] as? [String: Any]))["id"] as? String == "entry-2")
        #expect(object["kind"] as? String == "match")
    }

    @Test("a stream-health alert has kind stream_health and exactly the documented keys, no bank, hash or frame")
    func streamHealthKeys() throws {
        let object = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(.streamHealth(Self.health(.unwatchable)))) as? [String: Any])
        #expect(Set(object.keys) == ["kind", "id", "stream", "source", "state", "reason", "since", "raised_at"])
        #expect(object["kind"] as? String == "stream_health")
        #expect(object["state"] as? String == "unwatchable")
        #expect(object["since"] as? String == "2027-01-15T08:00:00.250Z")
    }

    @Test("alerts of both kinds round-trip; an alert stored before kinds existed reads as a match")
    func kinds() throws {
        for state in StreamHealthAlert.State.allCases {
            let health = RaisedAlert.streamHealth(Self.health(state))
            #expect(try AlertCoding.decode(AlertCoding.encode(health)) == health)
        }
        let match = TestAlerts.alert(1)
        var legacy = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(match)) as? [String: Any])
        legacy["kind"] = nil
        #expect(try AlertCoding.decode(JSONSerialization.data(withJSONObject: legacy)) == .match(match))
        var unknown = legacy
        unknown["kind"] = "gossip"
        #expect(throws: DecodingError.self) { try AlertCoding.decode(JSONSerialization.data(withJSONObject: unknown)) }
    }

    static func health(_ state: StreamHealthAlert.State) -> StreamHealthAlert {
        let start = Date(timeIntervalSince1970: 1_800_000_000.25)
        return StreamHealthAlert(
            id: AlertIDGenerator().next(at: start), stream: "cam-1", source: "rtmp://***@media.example/live/cam-1", state: state,
            reason: "picture size 8200x64 exceeds the limit of 8192 pixels per side", since: start,
            raisedAt: start.addingTimeInterval(30))
    }

    @Test("an alert survives a round trip through JSON unchanged")
    func roundTrip() throws {
        for number in 0..<5 {
            let alert = TestAlerts.alert(number, at: Date(timeIntervalSince1970: 1_800_000_000.123 + Double(number) * 0.0117))
            #expect(try AlertCoding.decode(AlertCoding.encode(alert)) == .match(alert))
        }
    }

    @Test("a file-match alert round-trips with kind file_match and its own keys")
    func fileMatch() throws {
        let alert = FileMatchAlert(
            id: AlertIDGenerator().next(at: Date()), stream: "s", source: "/x.mp4", bank: "b", entry: Alert.Entry(id: "e", label: nil),
            md5: "0123456789abcdef0123456789abcdef", raisedAt: Date(timeIntervalSince1970: 1_800_000_000.25))
        let data = try AlertCoding.encode(.fileMatch(alert))
        #expect(try AlertCoding.decode(data) == .fileMatch(alert))
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["kind", "id", "stream", "source", "bank", "entry", "md5", "raised_at"])
        #expect(object["kind"] as? String == "file_match")
    }

    @Test("timestamps: formatting and parsing agree; offsets other than Z are refused")
    func timestamps() {
        let date = Date(timeIntervalSince1970: 1_700_000_000.5)
        #expect(Timestamp.format(date) == "2023-11-14T22:13:20.500Z")
        #expect(Timestamp.parse("2023-11-14T22:13:20.500Z") == date)
        #expect(Timestamp.parse("2023-11-14T22:13:20Z") == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(Timestamp.parse("2023-11-14T22:13:20+01:00") == nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    @Test("alerts validate against docs/alert.schema.json; invalid ones do not",
          .timeLimit(.minutes(3)))
    func schema() async throws {
        let schemaPath = try SchemaValidator.schemaPath()
        let alerts = (0..<6).map { TestAlerts.alert($0) }
        let fileMatch = FileMatchAlert(
            id: AlertIDGenerator().next(at: Date()), stream: "upload-7", source: "/srv/uploads/7.mp4", bank: "partner",
            entry: Alert.Entry(id: "partner.csv:4", label: "partner"), md5: "d41d8cd98f00b204e9800998ecf8427e", raisedAt: Date())
        let raised = alerts.map(RaisedAlert.match) + StreamHealthAlert.State.allCases.map { .streamHealth(Self.health($0)) }
            + [.fileMatch(fileMatch)]
        let lines = try raised.map { String(decoding: try AlertCoding.encode($0), as: UTF8.self) }
        let results = try await SchemaValidator.validate(lines, schema: schemaPath)
        #expect(results == Array(repeating: "ok", count: lines.count))

        // The schema is strict: an extra field (such as pixels) or a malformed hash is rejected.
        var withPixels = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(alerts[0])) as? [String: Any])
        withPixels["thumbnail"] = "iVBORw0KGgo="
        var badHash = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(alerts[1])) as? [String: Any])
        badHash["hash"] = "XYZ"
        // Each kind has only its own fields: a stream-health alert with a hash, or a match
        // without its kind, fits neither.
        var healthWithHash = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(.streamHealth(Self.health(.recovered)))) as? [String: Any])
        healthWithHash["hash"] = String(repeating: "0", count: 64)
        var kindless = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(alerts[2])) as? [String: Any])
        kindless["kind"] = nil
        var fileMatchWithFrame = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(.fileMatch(fileMatch))) as? [String: Any])
        fileMatchWithFrame["hash"] = String(repeating: "0", count: 64)
        var badDigest = try #require(JSONSerialization.jsonObject(with: AlertCoding.encode(.fileMatch(fileMatch))) as? [String: Any])
        badDigest["md5"] = "D41D8CD98F00B204E9800998ECF8427E"
        let invalid = try [withPixels, badHash, healthWithHash, kindless, fileMatchWithFrame, badDigest].map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let rejected = try await SchemaValidator.validate(invalid, schema: schemaPath)
        #expect(rejected.allSatisfy { $0 != "ok" })
    }
}
