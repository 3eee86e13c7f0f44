import Foundation
import Logging
import VigilAlerts
import VigilDetect
import VigilMatch
import VigilMedia

/// Checks every file stream, as it starts, against the banks' known files (`video_md5`): an exact
/// copy raises a file-match alert at once, before its pictures are even hashed, as
/// `vigil scan` reports the same file.
struct FileStreamDigests: Sendable {
    let banks: BankRegistry
    let pipeline: AlertPipeline
    let logger: Logger
    private let ids = AlertIDGenerator()

    init(banks: BankRegistry, pipeline: AlertPipeline, logger: Logger) {
        self.banks = banks
        self.pipeline = pipeline
        self.logger = logger
    }

    /// The alert for a known file found under `stream` (a file stream, or a scan job's name).
    static func alert(_ found: FileMatch, id: AlertID, stream: String, source: String, scan: ScanReference? = nil) -> FileMatchAlert {
        let entry = Alert.Entry(
            id: found.entry.ids.first ?? found.entry.sources.first.map { "\($0.file):\($0.line)" } ?? found.entry.md5,
            label: found.entry.label)
        return FileMatchAlert(
            id: id, stream: stream, source: source, bank: found.bank, entry: entry, md5: found.entry.md5, raisedAt: Date(), scan: scan)
    }

    /// Starts the check of `spec` when it is a file and a bank holds file digests.
    func check(_ spec: StreamSpec) {
        guard spec.isFile else { return }
        let matchers = banks.loaded().map(\.matcher)
        guard matchers.contains(where: { !$0.bank.fileDigests.isEmpty }) else { return }
        Task {
            do {
                for found in try await FileMatch.find(spec.url, in: matchers) {
                    await pipeline.raise(Self.alert(found, id: ids.next(at: Date()), stream: spec.id, source: RedactedURL(spec.url).description))
                }
            } catch {
                logger.error("cannot compute a file stream's MD5", metadata: ["stream": "\(spec.id)", "error": "\(error)"])
            }
        }
    }
}
