import Foundation
import Testing
import VigilAlerts
import VigilDaemon
import VigilTestSupport

@Suite("File alert spool")
struct FileAlertSpoolTests {
    static func alerts(_ count: Int) -> [RaisedAlert] {
        let ids = AlertIDGenerator()
        return (0..<count).map { number in
            let when = Timestamp.truncated(Date(timeIntervalSince1970: 1_800_000_000 + Double(number)))
            return .match(Alert(
                id: ids.next(at: when), stream: "cam-\(number)", source: "rtmp://127.0.0.1/live/cam", bank: "known",
                entry: Alert.Entry(id: "entry-\(number)", label: nil), distance: 3, quality: 90,
                frame: Alert.FrameInfo(ptsSeconds: Double(number), keyframe: true, observedAt: when),
                hash: String(repeating: "ab", count: 32), videoMatch: nil, firstSeen: when, lastSeen: when, framesMatched: 1))
        }
    }

    @Test("alerts survive reopening, in order; once all are taken the file is empty again, its space kept")
    func reopen() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("alert-spool").path
        let alerts = Self.alerts(3)
        do {
            let spool = try FileAlertSpool(path: path, reservation: 64 << 10)
            for alert in alerts { try await spool.add(alert) }
            try await spool.add(alerts[1])
        }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 64 << 10)
        let reopened = try FileAlertSpool(path: path, reservation: 64 << 10)
        #expect(try await reopened.alerts().map(\.id) == alerts.map(\.id), "a repeat is kept once")
        try await reopened.remove(alerts[0].id)
        #expect(try await reopened.alerts().map(\.id) == Array(alerts[1...].map(\.id)))
        for alert in alerts[1...] { try await reopened.remove(alert.id) }
        #expect(try await FileAlertSpool(path: path, reservation: 64 << 10).alerts().isEmpty)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count == 64 << 10 && bytes.allSatisfy { $0 == 0 })
        // Reused from the start.
        try await reopened.add(alerts[2])
        #expect(try await FileAlertSpool(path: path, reservation: 64 << 10).alerts().map(\.id) == [alerts[2].id])
    }

    @Test("a record a crash cut short ends the spool; the whole ones before it are kept")
    func tornRecord() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("alert-spool").path
        let alerts = Self.alerts(3)
        let spool = try FileAlertSpool(path: path, reservation: 0)
        for alert in alerts { try await spool.add(alert) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.removeLast(5)
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try await FileAlertSpool(path: path, reservation: 0).alerts().map(\.id) == Array(alerts[0..<2].map(\.id)))
        // A flipped byte inside a record fails its checksum.
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(try await FileAlertSpool(path: path, reservation: 0).alerts().count < 2)
    }

    @Test("on a full disk the reserved space still takes alerts; past it the spool says the disk is full", .timeLimit(.minutes(1)))
    func fullDisk() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let disk = try await TmpfsMount.mount(bytes: 256 << 10, under: directory)
        defer { Task { await disk.unmount() } }
        let path = disk.path + "/alert-spool"
        let reservation = 32 << 10
        let spool = try FileAlertSpool(path: path, reservation: reservation)
        try disk.fill()
        let alerts = Self.alerts(200)
        // Some 50 alerts fit in 32 KiB: the first 20 surely do.
        for alert in alerts[..<20] { try await spool.add(alert) }
        var added = 20
        do {
            for alert in alerts[20...] {
                try await spool.add(alert)
                added += 1
            }
            Issue.record("200 alerts fit in a \(reservation)-byte reservation on a full disk")
        } catch {
            #expect(error is AlertFileError, "\(error)")
        }
        #expect(added < 200)
        #expect(try await FileAlertSpool(path: path, reservation: reservation).alerts().map(\.id) == alerts[..<added].map(\.id))
    }
}
