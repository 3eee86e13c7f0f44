import Foundation
import Synchronization
import Testing
import VigilDetect
import VigilMatch
import VigilMedia
import VigilTestSupport

/// `vigil scan`'s pipeline as a library: the sample bank against the sample media.
@Suite("Input scanner")
struct InputScannerTests {
    static func sample(_ name: String) -> String {
        Fixtures.root.appendingPathComponent("Samples").appendingPathComponent(name).path
    }

    static func sampleBank() throws -> BankMatcher {
        let folder = Fixtures.root.appendingPathComponent("Samples/banks/known").path
        return BankMatcher(bank: try BankLoader.load(name: "known", paths: [folder]).bank)
    }

    @Test("the known clip matches its video entry; the unrelated clip matches nothing", .timeLimit(.minutes(2)))
    func videos() async throws {
        let scanner = InputScanner(matchers: [try Self.sampleBank()], jobs: 2)
        var findings: [FrameFinding] = []
        let known = try await scanner.scan(Self.sample("mandelbrot-zoom.mp4")) { findings.append($0) }
        #expect(known.matched)
        #expect(known.videoMatches.map(\.videoID) == ["mandelbrot-zoom"])
        #expect(known.framesMatched == findings.count)
        #expect(known.framesHashed >= 5)
        var unrelatedFindings = 0
        let unrelated = try await scanner.scan(Self.sample("game-of-life.mp4")) { _ in unrelatedFindings += 1 }
        #expect(!unrelated.matched && unrelated.framesHashed >= 5)
        #expect(unrelatedFindings == 0)
    }

    @Test("a still picture is matched against image entries with the binding's luma arithmetic", .timeLimit(.minutes(2)))
    func stillImage() async throws {
        let scanner = InputScanner(matchers: [try Self.sampleBank()], jobs: 2)
        var findings: [FrameFinding] = []
        let verdict = try await scanner.scan(Self.sample("mandelbrot-still.png")) { findings.append($0) }
        #expect(verdict.framesHashed == 1)
        #expect(verdict.imageMatches == 1)
        #expect(findings.first?.match.entry.isImage == true)
    }

    @Test("an input that is not media is an error naming it, not a verdict")
    func notMedia() async throws {
        let scanner = InputScanner(matchers: [try Self.sampleBank()], jobs: 1)
        let path = Self.sample("banks/known/stills.csv")
        await #expect(throws: (any Error).self) { _ = try await scanner.scan(path) { _ in } }
    }

    @Test("on demand, a clip served over HTTP gets the verdict of the same file, read the same way", .timeLimit(.minutes(2)))
    func onDemandHTTP() async throws {
        let folder = Fixtures.root.appendingPathComponent("Samples")
        let server = try await StaticFileServer(serving: folder)
        defer { server.stop() }
        var scanner = InputScanner(matchers: [try Self.sampleBank()], jobs: 1)
        // Not in the background: at nice 19 the reader would wait for every other test's work.
        scanner.onDemand = true
        let steps = Mutex(0)
        scanner.onStep = { _, _ in steps.withLock { $0 += 1 } }
        for name in ["mandelbrot-zoom.mp4", "game-of-life.mp4"] {
            let fromFile = try await scanner.scan(Self.sample(name)) { _ in }
            let overHTTP = try await scanner.scan(server.url(name)) { _ in }
            var fileJSON = VerdictJSON.object(fromFile)
            var httpJSON = VerdictJSON.object(overHTTP)
            #expect(httpJSON.removeValue(forKey: "input") as? String == server.url(name))
            fileJSON["input"] = nil
            #expect(VerdictJSON.encode(httpJSON) == VerdictJSON.encode(fileJSON), "\(name)")
        }
        #expect(steps.withLock { $0 } > 10)
    }

    @Test("limits refuse an input once it is opened, naming it and the limit", .timeLimit(.minutes(2)))
    func limits() async throws {
        var scanner = InputScanner(matchers: [try Self.sampleBank()], jobs: 1)
        scanner.limits = InputLimits(maxBytes: 1000)
        await #expect {
            _ = try await scanner.scan(Self.sample("mandelbrot-zoom.mp4")) { _ in }
        } throws: { error in
            "\(error)".contains("mandelbrot-zoom.mp4: the input has") && "\(error)".contains("the limit is 1000 bytes")
        }
        scanner.limits = InputLimits(maxSeconds: 2)
        await #expect {
            _ = try await scanner.scan(Self.sample("mandelbrot-zoom.mp4")) { _ in }
        } throws: { error in
            "\(error)".contains("of media; the limit is 2 s")
        }
        scanner.limits = InputLimits(maxBytes: 1 << 30, maxSeconds: 3600)
        #expect(try await scanner.scan(Self.sample("mandelbrot-zoom.mp4")) { _ in }.matched)
    }

    @Test("an on-demand scan refuses a live protocol before connecting")
    func onDemandRefusesLive() async throws {
        var scanner = InputScanner(matchers: [try Self.sampleBank()], jobs: 1)
        scanner.onDemand = true
        await #expect(throws: MediaError.self) {
            _ = try await scanner.scan("rtmp://127.0.0.1:1/live/x") { _ in }
        }
    }
}
