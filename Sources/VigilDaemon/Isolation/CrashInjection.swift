import Foundation
import Synchronization

/// A test-only fault: makes the ingest child of one stream (or scan job) abort after a number of frames, once
/// (a marker file records that it did), so tests can show what a decoder crash costs. Compiled
/// only into debug builds; a release build ignores the variable.
///
/// `VIGIL_TEST_INGEST_CRASH=<stream or scan job id>:<frames>:<marker path>`
final class CrashInjection: Sendable {
    static let variable = "VIGIL_TEST_INGEST_CRASH"

    private let frames: Int
    private let marker: String
    private let sent = Atomic<Int>(0)

    /// The injection for `stream`, or nil (always nil in a release build).
    init?(stream: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        #if DEBUG
        let parts = environment[Self.variable]?.split(separator: ":", maxSplits: 2).map(String.init) ?? []
        guard parts.count == 3, parts[0] == stream, let frames = Int(parts[1]), !FileManager.default.fileExists(atPath: parts[2])
        else { return nil }
        self.frames = frames
        marker = parts[2]
        #else
        return nil
        #endif
    }

    /// Counts a frame sent; aborts the process at the chosen one.
    func frameSent() {
        guard sent.add(1, ordering: .relaxed).newValue == frames else { return }
        FileManager.default.createFile(atPath: marker, contents: nil)
        abort()
    }
}
