// Live-ingest benchmark driver, built by run_live_bench.py in a scratch package next to copies of
// VigilMedia and VigilHash (so it needs nothing the main package does not have).
//
//   live-bench file PATH [--no-hash] [--session] [--max-dim N]
//       Decodes the key frames of PATH (one decoder thread), converts each to RGB and hashes it
//       with PDQ; prints {"frames": n}. With --session the frames come through a StreamSession
//       (the live path), otherwise through MediaReader (the path of `vigil hash --keyframes`).
//   live-bench streams BASE_URL COUNT SECONDS [--max-dim N]
//       Reads COUNT live HLS streams BASE_URL/s<k>/live.m3u8 at once for SECONDS, hashing every
//       sampled frame; prints one JSON line per frame and a final line with memory and counters.
import Foundation
import VigilHash
import VigilMedia

@main
struct LiveBench {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let maxDimension = option("--max-dim", in: &arguments).flatMap(Int.init)
        let noHash = flag("--no-hash", in: &arguments)
        let viaSession = flag("--session", in: &arguments)
        switch arguments.first {
        case "file" where arguments.count == 2:
            try await file(arguments[1], hash: !noHash, viaSession: viaSession, maxDimension: maxDimension)
        case "streams" where arguments.count == 4:
            guard let count = Int(arguments[2]), let seconds = Double(arguments[3]) else { usage() }
            await streams(base: arguments[1], count: count, seconds: seconds, maxDimension: maxDimension)
        default:
            usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(Data("usage: live-bench file PATH [--no-hash] [--session] [--max-dim N] | streams BASE_URL COUNT SECONDS [--max-dim N]\n".utf8))
        exit(2)
    }

    static func flag(_ name: String, in arguments: inout [String]) -> Bool {
        guard let index = arguments.firstIndex(of: name) else { return false }
        arguments.remove(at: index)
        return true
    }

    static func option(_ name: String, in arguments: inout [String]) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        let value = arguments[index + 1]
        arguments.removeSubrange(index...(index + 1))
        return value
    }

    static func hash(_ frame: Frame, with hasher: PDQHasher) -> PDQHash {
        frame.pixels.withUnsafeBufferPointer { buffer in
            hasher.hash(PixelView(base: buffer.baseAddress!, width: frame.width, height: frame.height)).hash
        }
    }

    static func file(_ path: String, hash: Bool, viaSession: Bool, maxDimension: Int?) async throws {
        let hasher = PDQHasher(lumaPrecision: .single)
        var count = 0
        if viaSession {
            var options = StreamOptions()
            options.policy = SamplingPolicy(dropNearDuplicates: false, detectBorders: false)
            options.sampleMaxDimension = maxDimension
            let session = try StreamSession(url: path, options: options)
            for try await frame in session.frames {
                if hash { _ = Self.hash(frame, with: hasher) }
                count += 1
            }
        } else {
            let reader = try MediaReader(url: path, options: MediaReaderOptions(sampling: .keyframes, decoderThreads: 1))
            while let frame = try reader.nextFrame() {
                if hash { _ = Self.hash(frame, with: hasher) }
                count += 1
            }
        }
        print("{\"frames\": \(count)}")
    }

    static func streams(base: String, count: Int, seconds: Double, maxDimension: Int?) async {
        var options = StreamOptions()
        options.maxDuration = seconds
        options.sampleMaxDimension = maxDimension
        // The pattern changes every frame; nothing would be dropped, but keep the count exact.
        options.policy.dropNearDuplicates = false
        let output = OutputLines()
        // Hashers are shared, as the daemon shares them: one per concurrent hash, not per stream.
        let hashers = HasherPool()
        let startRSS = residentBytes()
        let sessions = (0..<count).compactMap { try? StreamSession(url: "\(base)/s\($0)/live.m3u8", options: options) }
        let midRSS = RSSProbe()
        await withTaskGroup(of: Void.self) { group in
            for (number, session) in sessions.enumerated() {
                group.addTask {
                    do {
                        for try await frame in session.frames {
                            hashers.withHasher { _ = Self.hash(frame, with: $0) }
                            let received = Date().timeIntervalSince1970
                            output.write("{\"s\": \(number), \"pts\": \(frame.ptsSeconds), \"recv\": \(received), \"obs\": \(frame.observedAt.timeIntervalSince1970), \"w\": \(frame.width), \"crop\": \(frame.crop != nil)}")
                        }
                    } catch {
                        output.write("{\"s\": \(number), \"error\": \"\(error)\"}")
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds / 2))
                midRSS.record(residentBytes())
            }
        }
        let dropped = sessions.map(\.counters.droppedFrames).reduce(0, +)
        let reconnects = sessions.map(\.counters.reconnects).reduce(0, +)
        output.write("{\"summary\": true, \"rss_start\": \(startRSS), \"rss_mid\": \(midRSS.value), \"dropped\": \(dropped), \"reconnects\": \(reconnects)}")
    }

    /// Current resident memory of this process (`VmRSS`), in bytes.
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }
}

/// Lines written whole from concurrent tasks.
final class OutputLines: @unchecked Sendable {
    private let lock = NSLock()

    func write(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The memory sample taken halfway through, when every stream is running.
final class RSSProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0

    func record(_ bytes: Int) {
        lock.lock()
        stored = bytes
        lock.unlock()
    }

    var value: Int {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// Hashers reused across streams; at most as many exist as hashes ever ran at once.
final class HasherPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [PDQHasher] = []

    func withHasher<T>(_ body: (PDQHasher) -> T) -> T {
        lock.lock()
        let hasher = idle.popLast() ?? PDQHasher(lumaPrecision: .single)
        lock.unlock()
        defer {
            lock.lock()
            idle.append(hasher)
            lock.unlock()
        }
        return body(hasher)
    }
}
