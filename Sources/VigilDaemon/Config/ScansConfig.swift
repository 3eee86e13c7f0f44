import Foundation
import VigilMedia

/// On-demand scan jobs (`scans:` in the config): `POST /v1/scans`.
public struct ScansConfig: Sendable, Equatable {
    /// Jobs read at once on this node. Each reads and decodes on a thread of its own, at the
    /// lowest CPU priority, and hashes on the shared pool's workers when no live frame waits.
    public var concurrency = max(1, ProcessInfo.processInfo.activeProcessorCount / 2)
    /// Jobs queued or running at most (in a fleet, across the fleet); past it a new job is
    /// answered 429 with Retry-After.
    public var queue = 100
    /// Largest input accepted, where its size is known (files, HTTP answers with a length).
    public var maxBytes: Int64 = 8 << 30
    /// Most media seconds: a longer input is refused once its duration is known; one of unknown
    /// duration is read this far.
    public var maxDuration: Double = 4 * 3600
    /// Folders under which a job's file source must lie; none means jobs read over HTTP(S) only.
    public var fileRoots: [String] = []
    /// Longest a job may run, in wall-clock seconds: a source that trickles its bytes (or a
    /// decoder that crawls) fails the job rather than holding a slot for hours.
    public var timeout: Double = 3600
    /// Seconds a finished job stays listed before it is pruned.
    public var retention: Double = 7 * 86_400

    /// Creates the defaults.
    public init() {}
}

extension ScansConfig {
    /// Why this node may not read `source` for a scan, or nil: the request's rules, and a file
    /// must lie under ``fileRoots``. Checked when a job is submitted and again when it runs (the
    /// roots may have changed, or another node accepted it). The egress policy is checked apart:
    /// it needs name lookups.
    func refusal(of source: String) -> String? {
        if let problem = ScanRequest.problem(withSource: source) { return problem }
        guard StreamURLPolicy.isFile(source) else { return nil }
        guard !fileRoots.isEmpty else {
            return "file sources are not accepted (list the folders scans may read in scans.file_roots)"
        }
        let path = (try? StreamSource(source))?.filePath ?? source
        guard FolderRoots.contain(path, roots: fileRoots) else { return "the file is outside scans.file_roots" }
        return nil
    }
}
