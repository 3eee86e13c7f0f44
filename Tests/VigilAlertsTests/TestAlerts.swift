import Foundation
import VigilAlerts
import VigilHash

/// Alerts and observations for tests.
enum TestAlerts {
    static let hashA = try! PDQHash(hex: "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    static func alert(_ number: Int, ids: AlertIDGenerator = AlertIDGenerator(), at date: Date? = nil) -> Alert {
        let when = Timestamp.truncated(date ?? base.addingTimeInterval(Double(number)))
        return Alert(
            id: ids.next(at: when), stream: "cam-\(number % 3)", source: "rtmp://127.0.0.1/live/cam",
            bank: "known", entry: Alert.Entry(id: "entry-\(number)", label: "label \(number)"), distance: number % 32,
            quality: 90, frame: Alert.FrameInfo(ptsSeconds: Double(number) * 2, keyframe: true, observedAt: when),
            hash: hashA.hex, videoMatch: number % 2 == 0 ? Alert.VideoMatch(queryPercent: 100, comparedPercent: 12.5) : nil,
            firstSeen: when, lastSeen: when, framesMatched: 1)
    }

    static func observation(
        stream: String = "cam", at seconds: Double, hash: PDQHash = hashA, quality: Int = 90, candidates: [MatchCandidate]
    ) -> FrameObservation {
        FrameObservation(
            stream: stream, source: "rtmp://127.0.0.1/live/\(stream)", hash: hash, quality: quality, ptsSeconds: seconds,
            keyframe: true, observedAt: base.addingTimeInterval(seconds), candidates: candidates)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-alerts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
