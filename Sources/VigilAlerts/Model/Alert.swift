import Foundation

/// One incident as Vigil reports it: a stream showed frames near a known bank entry.
///
/// The JSON form is the public alert format (`docs/alert.schema.json`, kind `match`, written
/// through ``RaisedAlert``); property names map to snake_case keys through `CodingKeys`. An alert carries hashes, times and identifiers only:
/// there is deliberately no field that could hold pixels, thumbnails or any other image data.
public struct Alert: Codable, Sendable, Equatable {
    /// Sortable unique id (a ULID): alerts listed by id are listed in the order they were raised.
    public var id: AlertID
    /// The stream's id, as configured.
    public var stream: String
    /// The stream's source URL.
    public var source: String
    /// The bank's name.
    public var bank: String
    /// What was matched.
    public var entry: Entry
    /// Best (smallest) Hamming distance seen so far in this incident.
    public var distance: Int
    /// PDQ quality of the frame with the best distance.
    public var quality: Int
    /// The frame with the best distance.
    public var frame: FrameInfo
    /// PDQ hash (64 hex digits) of the frame with the best distance.
    public var hash: String
    /// Video-level comparison against the known video, for entries that are frames of a known
    /// video; absent for image entries.
    public var videoMatch: VideoMatch?
    /// When the first matching frame was observed.
    public var firstSeen: Date
    /// When the latest matching frame was observed.
    public var lastSeen: Date
    /// Matching frames observed in this incident so far.
    public var framesMatched: Int
    /// The on-demand scan job that raised the alert; nil for a stream's.
    public var scan: ScanReference?

    /// The bank entry an alert is about.
    public struct Entry: Codable, Sendable, Equatable {
        /// The entry's id: the bank's id column, the known video's id for video frames, or the
        /// file and line the hash came from.
        public var id: String
        /// The bank's label for the entry, if it gave one.
        public var label: String?

        /// Creates an entry reference.
        public init(id: String, label: String? = nil) {
            self.id = id
            self.label = label
        }
    }

    /// Where in the stream a frame was, and when Vigil saw it.
    public struct FrameInfo: Codable, Sendable, Equatable {
        /// Presentation time in seconds from the start of the stream (as the reader reported it).
        public var ptsSeconds: Double
        /// Whether the decoder marked the frame as a key frame.
        public var keyframe: Bool
        /// Wall-clock time at which the decoded frame reached Vigil's pipeline.
        public var observedAt: Date

        /// Creates a frame description.
        public init(ptsSeconds: Double, keyframe: Bool, observedAt: Date) {
            self.ptsSeconds = ptsSeconds
            self.keyframe = keyframe
            self.observedAt = observedAt
        }

        enum CodingKeys: String, CodingKey {
            case ptsSeconds = "pts_seconds"
            case keyframe
            case observedAt = "observed_at"
        }
    }

    /// The video rule's percentages between the stream's samples and a known video: the same
    /// numbers `vigil scan` gives for the same samples.
    public struct VideoMatch: Codable, Sendable, Equatable {
        /// Share (0...100) of the stream's distinct good frames near some frame of the known video.
        public var queryPercent: Double
        /// Share (0...100) of the known video's distinct good frames near some stream frame.
        public var comparedPercent: Double

        /// Creates percentages.
        public init(queryPercent: Double, comparedPercent: Double) {
            self.queryPercent = queryPercent
            self.comparedPercent = comparedPercent
        }

        enum CodingKeys: String, CodingKey {
            case queryPercent = "query_pct"
            case comparedPercent = "compared_pct"
        }
    }

    /// Creates an alert.
    public init(
        id: AlertID, stream: String, source: String, bank: String, entry: Entry, distance: Int, quality: Int,
        frame: FrameInfo, hash: String, videoMatch: VideoMatch? = nil, firstSeen: Date, lastSeen: Date,
        framesMatched: Int, scan: ScanReference? = nil
    ) {
        self.id = id
        self.stream = stream
        self.source = source
        self.bank = bank
        self.entry = entry
        self.distance = distance
        self.quality = quality
        self.frame = frame
        self.hash = hash
        self.videoMatch = videoMatch
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.framesMatched = framesMatched
        self.scan = scan
    }

    enum CodingKeys: String, CodingKey {
        case id, stream, source, bank, entry, distance, quality, frame, hash, scan
        case videoMatch = "video_match"
        case firstSeen = "first_seen"
        case lastSeen = "last_seen"
        case framesMatched = "frames_matched"
    }
}
