import Foundation
import Synchronization
import VigilDetect

/// `vigil scan`'s progress line: one line on standard error, rewritten in place — the input, its
/// position (and duration when known), frames hashed and matches so far — for a person watching
/// a long input.
///
/// Only on a terminal: when standard output or standard error is a pipe or a file, or with
/// `--json`, there is none at all, so that what scripts read is byte for byte the same. Redrawn
/// at most ``interval`` apart, first after ``delay`` (a quick input shows nothing), and erased
/// before anything else is printed and when the input ends.
final class ScanProgress: Sendable {
    /// Longest between redraws.
    static let interval: Duration = .milliseconds(250)
    /// How long an input runs before its progress is shown, by default.
    static let delay: Duration = .milliseconds(300)

    private struct State {
        var started: ContinuousClock.Instant?
        var drawn: ContinuousClock.Instant?
        var visible = false
        var matches = 0
        var last: ScanPosition?
    }

    private let state = Mutex(State())
    private let descriptor: Int32
    /// How long an input runs before its progress is shown.
    private let delay: Duration

    /// A progress line on standard error, or nil when it must not be shown (`--json`, or standard
    /// output or standard error not a terminal).
    static func onTerminal(json: Bool, delay: Duration) -> ScanProgress? {
        guard !json, isatty(STDOUT_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return nil }
        return ScanProgress(descriptor: STDERR_FILENO, delay: delay)
    }

    private init(descriptor: Int32, delay: Duration) {
        self.descriptor = descriptor
        self.delay = delay
    }

    /// A frame was hashed: redraw if it is time.
    func update(_ position: ScanPosition) {
        let now = ContinuousClock.now
        let line = state.withLock { state -> String? in
            if state.last?.input != position.input { state = State(started: now, matches: 0) }
            state.last = position
            guard let started = state.started, now - started >= delay else { return nil }
            if let drawn = state.drawn, now - drawn < Self.interval { return nil }
            state.drawn = now
            state.visible = true
            return Self.describe(position, matches: state.matches)
        }
        if let line { write("\r\u{1B}[K" + Self.fitted(line, columns: columns())) }
    }

    /// A matching frame was found (counted; the caller prints it after ``clear()``).
    func matched() {
        state.withLock { $0.matches += 1 }
    }

    /// Erases the line, so that other output starts at the left margin; the next update redraws.
    func clear() {
        let visible = state.withLock { state -> Bool in
            defer { state.visible = false; state.drawn = nil }
            return state.visible
        }
        if visible { write("\r\u{1B}[K") }
    }

    /// The input ended: erase the line and start afresh for the next one.
    func finish() {
        clear()
        state.withLock { $0 = State() }
    }

    /// The line's text.
    static func describe(_ position: ScanPosition, matches: Int) -> String {
        var where_ = String(format: "%.1f s", position.seconds)
        if let duration = position.duration, duration > 0 {
            where_ += String(format: " of %.1f s (%.0f%%)", duration, min(100, 100 * position.seconds / duration))
        }
        return "scanning \(position.input): \(where_), \(position.framesHashed) frames hashed, "
            + "\(matches) \(matches == 1 ? "match" : "matches")"
    }

    /// `line` cut to the terminal's width: a wrapped line could not be rewritten in place.
    static func fitted(_ line: String, columns: Int) -> String {
        guard columns > 1, line.count >= columns else { return line }
        return String(line.prefix(columns - 2)) + "…"
    }

    private func columns() -> Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }
}
