import Foundation
import VigilAlerts
import VigilMedia

/// One on-demand scan (`POST /v1/scans`): a recording checked through the same path as
/// `vigil scan`, queued durably until a node has run it to a verdict or an error.
public struct ScanJob: Sendable, Equatable {
    /// Where a job is in its life.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// Accepted and waiting for a free slot (on any node, in a fleet).
        case queued
        /// Being read by a node.
        case running
        /// Read to the end: ``verdict`` holds the verdict.
        case done
        /// Refused or unreadable: ``error`` says why.
        case failed

        /// Whether the job has ended.
        public var isFinished: Bool { self == .done || self == .failed }
    }

    /// How far a running job has got.
    public struct Progress: Sendable, Equatable, Codable {
        /// Media seconds read.
        public var seconds: Double
        /// The input's duration, when known.
        public var duration: Double?
        /// Samples hashed.
        public var framesHashed: Int

        /// Creates a progress record.
        public init(seconds: Double, duration: Double?, framesHashed: Int) {
            self.seconds = seconds
            self.duration = duration
            self.framesHashed = framesHashed
        }

        enum CodingKeys: String, CodingKey {
            case seconds, duration
            case framesHashed = "frames_hashed"
        }
    }

    /// How a job ended.
    public enum Outcome: Sendable, Equatable {
        /// The verdict, in ``VigilDetect/VerdictJSON``'s form.
        case done(verdict: JSONValue)
        /// Why the job could not be read to a verdict.
        case failed(error: String)
    }

    /// The client's id, or one Vigil chose.
    public var id: String
    /// The source as submitted (a path or an HTTP(S) URL), credentials included: only the reader
    /// sees it; everything shown uses ``shownSource``.
    public var source: String
    /// The client's metadata, echoed in the job's alerts.
    public var callback: JSONValue?
    /// Where the job is.
    public var state: State
    /// When it was accepted.
    public var submittedAt: Date
    /// When its latest attempt started.
    public var startedAt: Date?
    /// When it ended.
    public var finishedAt: Date?
    /// Attempts started: more than one after a node stopped while running it.
    public var attempts: Int
    /// The node running it (or that ran it last).
    public var node: String?
    /// How far the latest attempt got.
    public var progress: Progress?
    /// The verdict, once done.
    public var verdict: JSONValue?
    /// Why it failed.
    public var error: String?

    /// Creates a queued job.
    public init(id: String, source: String, callback: JSONValue?, submittedAt: Date) {
        self.id = id
        self.source = source
        self.callback = callback
        state = .queued
        self.submittedAt = submittedAt
        attempts = 0
    }

    /// The source without credentials.
    public var shownSource: String { RedactedURL(source).description }

    /// What the job's alerts carry.
    public var reference: ScanReference { ScanReference(id: id, callback: callback) }
}
