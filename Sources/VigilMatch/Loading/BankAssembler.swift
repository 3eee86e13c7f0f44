import Foundation
import VigilHash

/// Merges parsed files into one bank: one entry per distinct hash, unique video ids, statistics.
struct BankAssembler {
    private var entries: [BankEntry] = []
    private var positions: [PDQHash: Int] = [:]
    private var videos: [BankVideo] = []
    private var videoIDs: Set<String> = []
    private var issues: [BankIssue] = []
    private var stats = BankStats()

    /// Adds one file's content.
    mutating func add(_ file: ParsedFile) {
        stats.filesRead += 1
        stats.linesRead += file.lineCount
        stats.entriesBeforeMerging += file.entries.count
        stats.skippedLines += file.issues.count
        issues += file.issues
        if file.entries.isEmpty {
            stats.emptyInputs.append(file.file)
        }
        let ids = file.videos.indices.map { uniqueVideoID(Self.videoName(file, index: $0)) }
        for (index, video) in file.videos.enumerated() {
            videos.append(BankVideo(id: ids[index], file: file.file, frames: video.frames))
            stats.videoFrames += video.frames.count
        }
        for entry in file.entries {
            merge(entry, file: file.file, videoIDs: ids)
        }
    }

    /// Records an input that held no file at all (an empty folder).
    mutating func addEmptyInput(_ path: String) {
        stats.emptyInputs.append(path)
    }

    /// The finished bank and the skipped lines.
    func result(name: String) -> BankLoadResult {
        var stats = self.stats
        stats.entriesAfterMerging = entries.count
        stats.duplicatesMerged = stats.entriesBeforeMerging - entries.count
        stats.lowQualityEntries = entries.count(where: { entry in
            entry.quality.map { $0 < BankStats.lowQualityThreshold } ?? false
        })
        stats.videos = videos.count
        return BankLoadResult(bank: Bank(name: name, entries: entries, videos: videos, stats: stats), issues: issues)
    }

    private mutating func merge(_ parsed: ParsedFile.Entry, file: String, videoIDs: [String]) {
        let record = parsed.record
        let source = SourceLocation(file: file, line: parsed.line)
        let frame = both(record.frame, parsed.video).map { frame, video in
            VideoFrameRef(videoID: videoIDs[video], frameNumber: frame.number, timestampSeconds: frame.timestampSeconds)
        }
        guard let position = positions[record.hash] else {
            positions[record.hash] = entries.count
            entries.append(BankEntry(
                hash: record.hash, ids: record.id.map { [$0] } ?? [], label: record.label,
                quality: record.quality, metadata: record.metadata, sources: [source],
                videoFrames: frame.map { [$0] } ?? []))
            return
        }
        var entry = entries[position]
        if let id = record.id, !entry.ids.contains(id) {
            entry.ids.append(id)
        }
        entry.label = entry.label ?? record.label
        if let quality = record.quality {
            entry.quality = max(entry.quality ?? quality, quality)
        }
        for (key, value) in record.metadata {
            entry.metadata[key] = Self.joined(entry.metadata[key], value)
        }
        entry.sources.append(source)
        if let frame {
            entry.videoFrames.append(frame)
        }
        entries[position] = entry
    }

    private static let valueSeparator = " | "

    /// `existing` with `value` appended unless it already holds it.
    private static func joined(_ existing: String?, _ value: String) -> String {
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
