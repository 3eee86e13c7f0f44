import Foundation
import VigilHash
import VigilMatch

/// Turns matching frames into incidents: one alert per (stream, bank, subject) while matches keep
/// coming, instead of one alert per frame.
///
/// A match with no open incident for its key opens one and raises an alert. Further matches within
/// ``Settings/window`` of the incident's last match update it (frames matched, last seen, best
/// distance and the frame that gave it) without raising another alert. After a quiet `window` the
/// incident closes, and a later match opens a new one.
///
/// Pure: time comes only from observations and from the `now` given to ``expire(now:)``, so tests
/// drive it with any clock. Memory is bounded by ``Settings/maxOpenIncidents`` and
/// ``Settings/maxQueryFrames``.
public struct IncidentPolicy: Sendable {
    /// Tunables.
    public struct Settings: Sendable, Equatable {
        /// How long an incident stays open after its last matching frame, in seconds.
        public var window: TimeInterval
        /// Most incidents open at once; past it the one quiet the longest is closed early.
        public var maxOpenIncidents: Int
        /// Most stream frames kept per video incident for the video-level percentages (oldest go).
        public var maxQueryFrames: Int

        /// Creates settings; the defaults suit live streams.
        public init(window: TimeInterval = 60, maxOpenIncidents: Int = 10_000, maxQueryFrames: Int = 1024) {
            self.window = window
            self.maxOpenIncidents = max(1, maxOpenIncidents)
            self.maxQueryFrames = max(1, maxQueryFrames)
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

    private struct Incident: Sendable {
        var alert: Alert
        var video: KnownVideo?
        /// The stream's frames since the incident opened, for the video rule.
        var queryFrames: [VideoMatchFrame] = []
        var queryStart = 0
    }

    /// The settings in force.
    public let settings: Settings
    private let ids: AlertIDGenerator
    private var incidents: [Key: Incident] = [:]
    /// Open video incidents per stream, so a non-matching frame only touches its own stream's.
    private var videoIncidentsByStream: [String: Set<Key>] = [:]

    /// Creates a policy with no open incident.
    public init(settings: Settings = Settings(), ids: AlertIDGenerator = AlertIDGenerator()) {
        self.settings = settings
        self.ids = ids
    }

    /// Incidents open now.
    public var openIncidentCount: Int { incidents.count }

    /// The current alert of an open incident.
    public func incident(_ key: Key) -> Alert? { incidents[key]?.alert }

    /// Feeds one hashed frame; returns the incidents it opened or updated.
    public mutating func observe(_ observation: FrameObservation) -> [PolicyDecision] {
        let now = Timestamp.truncated(observation.observedAt)
        recordQueryFrame(observation, now: now)
        // Several entries of one subject (frames of one known video) can match a single frame:
        // that is one matching frame for the incident, at the best distance.
        var best: [Key: MatchCandidate] = [:]
        var order: [Key] = []
        for candidate in observation.candidates {
            let key = Key(stream: observation.stream, bank: candidate.bank, subject: candidate.subject)
            if let existing = best[key] {
                if candidate.distance < existing.distance { best[key] = candidate }
            } else {
                best[key] = candidate
                order.append(key)
            }
        }
        var decisions: [PolicyDecision] = []
        for key in order {
            guard let candidate = best[key] else { continue }
            if var incident = incidents[key], now.timeIntervalSince(incident.alert.lastSeen) <= settings.window {
                update(&incident, with: candidate, observation: observation, now: now)
                incidents[key] = incident
                decisions.append(.update(incident.alert))
            } else {
                close(key)
                let incident = open(key, candidate: candidate, observation: observation, now: now)
                decisions.append(.open(incident.alert))
            }
        }
        return decisions
    }

    /// Closes incidents quiet for longer than the window; returns their final state.
    public mutating func expire(now: Date) -> [Alert] {
        let expired = incidents.filter { now.timeIntervalSince($0.value.alert.lastSeen) > settings.window }
        for key in expired.keys { close(key) }
        return expired.values.map(\.alert).sorted { $0.id < $1.id }
    }

    /// Closes every incident of a stream (it was removed); returns their final state.
    public mutating func closeAll(stream: String) -> [Alert] {
        let keys = incidents.keys.filter { $0.stream == stream }
        let alerts = keys.compactMap { incidents[$0]?.alert }
        for key in keys { close(key) }
        return alerts.sorted { $0.id < $1.id }
    }

    private mutating func open(_ key: Key, candidate: MatchCandidate, observation: FrameObservation, now: Date) -> Incident {
        if incidents.count >= settings.maxOpenIncidents,
           let quietest = incidents.min(by: { $0.value.alert.lastSeen < $1.value.alert.lastSeen })?.key {
            close(quietest)
        }
        let alert = Alert(
            id: ids.next(at: now), stream: observation.stream, source: observation.source, bank: candidate.bank,
            entry: candidate.entry, distance: candidate.distance, quality: observation.quality,
            frame: Alert.FrameInfo(ptsSeconds: observation.ptsSeconds, keyframe: observation.keyframe, observedAt: now),
            hash: observation.hash.hex, videoMatch: nil, firstSeen: now, lastSeen: now, framesMatched: 1)
        var incident = Incident(alert: alert, video: candidate.video)
        if candidate.video != nil {
            incident.queryFrames = [VideoMatchFrame(hash: observation.hash, quality: observation.quality)]
            incident.alert.videoMatch = Self.videoMatch(incident)
            videoIncidentsByStream[key.stream, default: []].insert(key)
        }
        incidents[key] = incident
        return incident
    }

    private func update(_ incident: inout Incident, with candidate: MatchCandidate, observation: FrameObservation, now: Date) {
        incident.alert.framesMatched += 1
        incident.alert.lastSeen = max(incident.alert.lastSeen, now)
        if candidate.distance < incident.alert.distance {
            incident.alert.distance = candidate.distance
            incident.alert.quality = observation.quality
            incident.alert.hash = observation.hash.hex
            incident.alert.frame = Alert.FrameInfo(ptsSeconds: observation.ptsSeconds, keyframe: observation.keyframe, observedAt: now)
        }
        if incident.video != nil {
            incident.alert.videoMatch = Self.videoMatch(incident)
        }
    }

    /// Appends the frame to every open video incident of its stream (before matching, so a frame
    /// that opens an incident is not counted twice).
    private mutating func recordQueryFrame(_ observation: FrameObservation, now: Date) {
        guard let keys = videoIncidentsByStream[observation.stream] else { return }
        let frame = VideoMatchFrame(hash: observation.hash, quality: observation.quality)
        for key in keys {
            guard var incident = incidents[key] else { continue }
            if now.timeIntervalSince(incident.alert.lastSeen) > settings.window { continue }
            if incident.queryFrames.count - incident.queryStart >= settings.maxQueryFrames {
                incident.queryStart += 1
                // Compact now and then rather than shifting the array on every frame.
                if incident.queryStart >= settings.maxQueryFrames {
                    incident.queryFrames.removeFirst(incident.queryStart)
                    incident.queryStart = 0
                }
            }
            incident.queryFrames.append(frame)
            incidents[key] = incident
        }
    }

    private mutating func close(_ key: Key) {
        guard incidents.removeValue(forKey: key) != nil else { return }
        if var keys = videoIncidentsByStream[key.stream] {
            keys.remove(key)
            videoIncidentsByStream[key.stream] = keys.isEmpty ? nil : keys
        }
    }

    private static func videoMatch(_ incident: Incident) -> Alert.VideoMatch? {
        guard let known = incident.video else { return nil }
        let query = Array(incident.queryFrames[incident.queryStart...])
        let result = known.rule.evaluate(query: query, against: known.video)
        return Alert.VideoMatch(queryPercent: Self.round(result.queryPercent), comparedPercent: Self.round(result.comparedPercent))
    }

    /// One decimal, as in the documented example: more would suggest a precision the rule lacks.
    private static func round(_ percent: Double) -> Double {
        (percent * 10).rounded() / 10
    }
}
