import Foundation

/// Paths to the repository's test fixtures and tools, found from this file's location so tests run
/// from any working directory.
public enum Fixtures {
    /// The repository root.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `Tests/Fixtures`.
    public static let directory = root.appendingPathComponent("Tests/Fixtures")

    /// A fixture file by its path under `Tests/Fixtures`.
    public static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    /// Decodes the first frame of an image or video to packed RGB24 with the `ffmpeg` command-line
    /// tool: the exact bytes the reference expectations were computed from.
    public static func ffmpegRGB(_ path: String) async throws -> Data {
        let output = try await runProcess("ffmpeg", ["-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        guard output.status == 0 else {
            throw SubprocessError(description: "ffmpeg could not decode \(path): \(output.stderrText)")
        }
        return output.stdout
    }

    /// A new empty temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
