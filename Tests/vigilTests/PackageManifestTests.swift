import Foundation
import Testing
import VigilTestSupport

/// The manifest another package sees: no unsafe build settings, so Vigil's libraries can be its
/// dependencies.
@Suite("Package manifest")
struct PackageManifestTests {
    /// The targets of `Package.swift` that carry unsafe flags, as evaluated with `environment`.
    private func targetsWithUnsafeFlags() async throws -> [String] {
        let scratch = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Its own scratch path: the build directory is locked by the running test command.
        let dump = try await runProcess(
            "swift", ["package", "--package-path", Fixtures.root.path, "--scratch-path", scratch.path, "dump-package"]
        )
        try #require(dump.status == 0, "\(dump.stderrText)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdoutText.utf8)) as? [String: Any])
        let targets = try #require(manifest["targets"] as? [[String: Any]])
        #expect(targets.contains { $0["name"] as? String == "VigilHash" })
        return targets.compactMap { target in
            let settings = target["settings"] as? [[String: Any]] ?? []
            let unsafe = settings.contains { setting in
                (setting["kind"] as? [String: Any])?.keys.contains("unsafeFlags") == true
            }
            return unsafe ? target["name"] as? String : nil
        }
    }

    @Test("No target has unsafe flags")
    func noUnsafeFlags() async throws {
        #expect(try await targetsWithUnsafeFlags() == [])
    }
}
