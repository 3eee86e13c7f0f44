import Foundation
import VigilHash

/// Merges parsed files into one bank: one entry per distinct hash, unique video ids, statistics.
///
/// Files' columns are appended as they come (the first file's are adopted without a copy); lines
/// that repeat a hash are then found by sorting (``DuplicateFinder``) and merged into the entry
/// of the hash's first line, in one pass that only runs when there are any.
struct BankAssembler {
    private var hashes = HashColumn()
    private var qualities: [UInt8] = []
    private var sourceLines: [UInt32] = []
    private var fileRuns: [BankEntries.FileRun] = []
    private var details: [UInt32: BankEntries.Details] = [:]
    private var videos: [BankVideo] = []
    private var videoIDs: Set<String> = []
    private var issues: [BankIssue] = []
    private var fileDigests: [String: FileDigestEntry] = [:]
    private var stats = BankStats()

    /// Adds one file's content.
    mutating func add(_ file: ParsedFile) {
        stats.filesRead += 1
        stats.linesRead += file.lineCount
        stats.entriesBeforeMerging += file.hashes.count
        stats.skippedLines += file.issues.count
        issues += file.issues
        for entry in file.fileDigests {
            fileDigests[entry.md5, default: FileDigestEntry(md5: entry.md5)].merge(entry)
        }
        stats.fileDigestLines += file.fileDigests.count
        stats.skippedSignals.merge(file.skippedSignals, uniquingKeysWith: +)
        if file.hashes.isEmpty {
            if !file.fileDigests.isEmpty { return }
            stats.emptyInputs.append(file.file)
            return
        }
        let ids = file.videos.indices.map { uniqueVideoID(Self.videoName(file, index: $0)) }
        for (index, video) in file.videos.enumerated() {
            videos.append(BankVideo(id: ids[index], file: file.file, frames: video.frames))
            stats.videoFrames += video.frames.count
        }
        let base = hashes.count
        fileRuns.append(BankEntries.FileRun(start: base, file: file.file))
        if hashes.isEmpty {
            hashes = file.hashes
            qualities = file.qualities
            sourceLines = file.lines
        } else {
            hashes.append(contentsOf: file.hashes)
            qualities += file.qualities
            sourceLines += file.lines
        }
        for (index, detail) in file.details {
            let record = detail.record
            let frame = both(record.frame, detail.video).map { frame, video in
                VideoFrameRef(videoID: ids[video], frameNumber: frame.number, timestampSeconds: frame.timestampSeconds)
            }
            details[UInt32(base + index)] = BankEntries.Details(
                ids: record.id.map { [$0] } ?? [], label: record.label, metadata: record.metadata,
                videoFrames: frame.map { [$0] } ?? [])
        }
    }

    /// Records an input that held no file at all (an empty folder).
    mutating func addEmptyInput(_ path: String) {
        stats.emptyInputs.append(path)
    }

    /// The finished bank and the skipped lines.
    func result(name: String) -> BankLoadResult {
        let entries = Self.merged(
            BankEntries(hashes: hashes, qualities: qualities, sourceLines: sourceLines, fileRuns: fileRuns, details: details),
            DuplicateFinder.duplicates(in: hashes))
        var stats = self.stats
        stats.entriesAfterMerging = entries.count
        stats.duplicatesMerged = stats.entriesBeforeMerging - entries.count
        stats.lowQualityEntries = entries.qualities.count(where: { $0 < BankStats.lowQualityThreshold })
        stats.videos = videos.count
        stats.fileDigests = fileDigests.count
        return BankLoadResult(bank: Bank(name: name, entries: entries, videos: videos, fileDigests: fileDigests, stats: stats), issues: issues)
    }

    /// `entries` with every duplicate folded into its keeper: the keeper keeps its place; its
    /// quality becomes the highest given, and the duplicates' ids, label, columns, source lines and
    /// video frames are added in load order.
    private static func merged(_ entries: BankEntries, _ duplicates: [DuplicateFinder.Duplicate]) -> BankEntries {
        guard !duplicates.isEmpty else { return entries }
        let kept = entries.count - duplicates.count
        var hashes = HashColumn(), qualities: [UInt8] = [], sourceLines: [UInt32] = []
        hashes.reserveCapacity(kept)
        qualities.reserveCapacity(kept)
        sourceLines.reserveCapacity(kept)
        var fileRuns: [BankEntries.FileRun] = []
        var details: [UInt32: BankEntries.Details] = [:]
        // Where each keeper went; keepers come before their duplicates.
        var newPositions: [Int: Int] = [:]
        let keepers = Set(duplicates.map(\.keeper))
        var next = duplicates.startIndex
        for position in entries.indices {
            if next < duplicates.endIndex, duplicates[next].position == position {
                let target = newPositions[duplicates[next].keeper]!
                next += 1
                if entries.qualities[position] != BankEntries.noQuality {
                    qualities[target] = qualities[target] == BankEntries.noQuality
                        ? entries.qualities[position] : max(qualities[target], entries.qualities[position])
                }
                var merged = details.removeValue(forKey: UInt32(target)) ?? BankEntries.Details()
                let extra = entries.details[UInt32(position)] ?? BankEntries.Details()
                for id in extra.ids where !merged.ids.contains(id) {
                    merged.ids.append(id)
                }
                merged.label = merged.label ?? extra.label
                for (key, value) in extra.metadata {
                    merged.metadata[key] = joined(merged.metadata[key], value)
                }
                if entries.sourceLines[position] != 0 {
                    merged.laterSources.append(SourceLocation(file: entries.file(of: position), line: Int(entries.sourceLines[position])))
                }
                merged.laterSources += extra.laterSources
                merged.videoFrames += extra.videoFrames
                details[UInt32(target)] = merged
                continue
            }
            let target = hashes.count
            if keepers.contains(position) {
                newPositions[position] = target
            }
            if entries.sourceLines[position] != 0 {
                let file = entries.file(of: position)
                if fileRuns.last?.file != file {
                    fileRuns.append(BankEntries.FileRun(start: target, file: file))
                }
            }
            hashes.append(entries.hashes[position])
            qualities.append(entries.qualities[position])
            sourceLines.append(entries.sourceLines[position])
            if let extra = entries.details[UInt32(position)] {
                details[UInt32(target)] = extra
            }
        }
        return BankEntries(hashes: hashes, qualities: qualities, sourceLines: sourceLines, fileRuns: fileRuns, details: details)
    }

    private static let valueSeparator = " | "

    /// `existing` with `value` appended unless it already holds it: how merged lines keep every
    /// distinct value of a column.
    static func joined(_ existing: String?, _ value: String) -> String {
        guard let existing else { return value }
        if existing.components(separatedBy: valueSeparator).contains(value) {
            return existing
        }
        return existing + valueSeparator + value
    }

    /// The file's base name for its only video; with several videos the base name of the comment
    /// that names each (`vigil hash` writes `# path` before each video), else the file's base name
    /// and the video's position.
    private static func videoName(_ file: ParsedFile, index: Int) -> String {
        let fileBase = baseName(file.file)
        guard file.videos.count > 1 else { return fileBase }
        if let comment = file.videos[index].comment {
            return baseName(comment)
        }
        return "\(fileBase)#\(index + 1)"
    }

    private static func baseName(_ path: String) -> String {
        let last = (path as NSString).lastPathComponent
        let stem = (last as NSString).deletingPathExtension
        return stem.isEmpty ? last : stem
    }

    private mutating func uniqueVideoID(_ base: String) -> String {
        var candidate = base
        var suffix = 1
        while videoIDs.contains(candidate) {
            suffix += 1
            candidate = "\(base)#\(suffix)"
        }
        videoIDs.insert(candidate)
        return candidate
    }
}

private func both<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
