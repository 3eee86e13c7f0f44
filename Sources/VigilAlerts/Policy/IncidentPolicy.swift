import Foundation
import VigilHash

/// Turns matching samples into incidents: one alert per (stream, bank, subject) while matches keep
/// coming, instead of one alert per frame.
///
/// An image entry within the threshold of a sample opens an incident. A known video opens one when
/// the detection path's video rule says the stream matches it (``VideoProgress/isMatch``), on a
/// sample near it. Further matches within ``Settings/window`` of the incident's last match update
/// it (frames matched, last seen, best distance and the frame that gave it, the video rule's
/// percentages) without raising another alert. After a quiet `window` the incident closes, and a
/// later match opens a new one.
///
/// Pure: time comes only from observations and from the `now` given to ``expire(now:)``, so tests
/// drive it with any clock. Memory is bounded by ``Settings/maxOpenIncidents``.
public struct IncidentPolicy: Sendable {
    /// Tunables.
    public struct Settings: Sendable, Equatable {
        /// How long an incident stays open after its last matching frame, in seconds.
        public var window: TimeInterval
        /// Most incidents open at once; past it the one quiet the longest is closed early.
        public var maxOpenIncidents: Int

        /// Creates settings; the defaults suit live streams.
        public init(window: TimeInterval = 60, maxOpenIncidents: Int = 10_000) {
            self.window = window
            self.maxOpenIncidents = max(1, maxOpenIncidents)
        }
    }

    /// Identifies an incident.
    public struct Key: Hashable, Sendable {
        /// The stream's id.
        public var stream: String
        /// The bank's name.
        public var bank: String
        /// ``MatchCandidate/subject``.
        public var subject: String

        /// Creates a key.
        public init(stream: String, bank: String, subject: String) {
            self.stream = stream
            self.bank = bank
            self.subject = subject
        }
    }

    /// The settings in force.
    public let settings: Settings
    private let ids: AlertIDGenerator
    private var incidents: [Key: Alert] = [:]

    /// Creates a policy with no open incident.
    public init(settings: Settings = Settings(), ids: AlertIDGenerator = AlertIDGenerator()) {
        self.settings = settings
        self.ids = ids
    }

    /// Incidents open now.
    public var openIncidentCount: Int { incidents.count }

    /// The current alert of an open incident.
    public func incident(_ key: Key) -> Alert? { incidents[key] }

    /// Feeds one hashed sample; returns the incidents it opened or updated.
    public mutating func observe(_ observation: FrameObservation) -> [PolicyDecision] {
        let now = Timestamp.truncated(observation.observedAt)
        // Several entries of one subject can match a single sample: that is one matching sample
        // for the incident, at the best distance.
        var best: [Key: MatchCandidate] = [:]
        var order: [Key] = []
        for candidate in observation.candidates {
            let key = Key(stream: observation.stream, bank: candidate.bank, subject: candidate.subject)
            if let existing = best[key] {
                if let distance = candidate.distance, distance < existing.distance ?? .max { best[key] = candidate }
            } else {
                best[key] = candidate
                order.append(key)
            }
        }
        var decisions: [PolicyDecision] = []
        for key in order {
            guard let candidate = best[key] else { continue }
            if var alert = incidents[key], now.timeIntervalSince(alert.lastSeen) <= settings.window {
                guard update(&alert, with: candidate, observation: observation, now: now) else { continue }
                incidents[key] = alert
                decisions.append(.update(alert))
            } else if let distance = candidate.distance, candidate.video?.isMatch ?? true {
                close(key)
                let alert = open(key, candidate: candidate, distance: distance, observation: observation, now: now)
                decisions.append(.open(alert))
            }
        }
        return decisions
    }

    /// Closes incidents quiet for longer than the window; returns their final state.
    public mutating func expire(now: Date) -> [Alert] {
        let expired = incidents.filter { now.timeIntervalSince($0.value.lastSeen) > settings.window }
        for key in expired.keys { close(key) }
        return expired.values.sorted { $0.id < $1.id }
    }

    /// Closes every incident of a stream (it was removed); returns their final state.
    public mutating func closeAll(stream: String) -> [Alert] {
        let keys = incidents.keys.filter { $0.stream == stream }
        let alerts = keys.compactMap { incidents[$0] }
        for key in keys { close(key) }
        return alerts.sorted { $0.id < $1.id }
    }

    private mutating func open(
        _ key: Key, candidate: MatchCandidate, distance: Int, observation: FrameObservation, now: Date
    ) -> Alert {
        if incidents.count >= settings.maxOpenIncidents,
           let quietest = incidents.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            close(quietest)
        }
        var alert = Alert(
            id: ids.next(at: now), stream: observation.stream, source: observation.source, bank: candidate.bank,
            entry: candidate.entry, distance: distance, quality: observation.quality,
            frame: Alert.FrameInfo(ptsSeconds: observation.ptsSeconds, keyframe: observation.keyframe, observedAt: now),
            hash: observation.hash.hex, videoMatch: nil, firstSeen: now, lastSeen: now, framesMatched: 1,
            scan: observation.scan)
        if let video = candidate.video { Self.apply(video, to: &alert) }
        incidents[key] = alert
        return alert
    }

    /// Applies a sample to an open incident; false when nothing changed.
    private func update(_ alert: inout Alert, with candidate: MatchCandidate, observation: FrameObservation, now: Date) -> Bool {
        let before = alert
        if let distance = candidate.distance {
            if candidate.video == nil { alert.framesMatched += 1 }
            alert.lastSeen = max(alert.lastSeen, now)
            if distance < alert.distance {
                alert.distance = distance
                alert.quality = observation.quality
                alert.hash = observation.hash.hex
                alert.frame = Alert.FrameInfo(ptsSeconds: observation.ptsSeconds, keyframe: observation.keyframe, observedAt: now)
            }
        }
        if let video = candidate.video { Self.apply(video, to: &alert) }
        return alert != before
    }

    private static func apply(_ video: VideoProgress, to alert: inout Alert) {
        alert.framesMatched = video.framesMatched
        alert.videoMatch = Alert.VideoMatch(queryPercent: round(video.queryPercent), comparedPercent: round(video.comparedPercent))
    }

    private mutating func close(_ key: Key) {
        incidents.removeValue(forKey: key)
    }

    /// One decimal, as in the documented example and in `vigil scan --json`: more would suggest a
    /// precision the rule lacks.
    private static func round(_ percent: Double) -> Double {
        (percent * 10).rounded() / 10
    }
}
