import Foundation
import Testing
import VigilDetect
import VigilMatch
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
}
