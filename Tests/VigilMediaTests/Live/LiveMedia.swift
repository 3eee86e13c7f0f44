import Foundation
import VigilTestSupport

/// Clips the live tests stream, made once per test run with the real `ffmpeg`: small (320x240,
/// 25 fps) so that serving and decoding them costs little on a 2-core machine.
struct LiveMedia: Sendable {
    /// 20 s of testsrc2 in MPEG-TS, H.264 with a key frame every second.
    let clip: String
    /// 12 s with a single key frame at the start (a 60 s GOP).
    let longGOP: String
    /// 12 s with a key frame every 3 s.
    let threeSecondGOP: String
    /// 12 s of x264 periodic intra refresh: one IDR at the start, then recovery points only.
    let intraRefresh: String
    /// On-demand HLS: three 1 s segments (`seg0.ts`...), served from this folder.
    let vodFolder: URL
    /// 2 s at 320x240 then 2 s at 160x120, as two HLS segment series (`big*.ts`, `small*.ts`).
    let resolutionFolder: URL
    let directory: URL

    /// A task, so tests waiting for the files suspend instead of holding a cooperative thread.
    static let shared = Task { try await LiveMedia() }

    static func get() async throws -> LiveMedia {
        try await shared.value
    }

    private init() async throws {
        let directory = try Fixtures.temporaryDirectory()
        self.directory = directory
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        let pattern = ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25"]
        let h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        clip = path("clip.ts")
        try await ffmpeg(["-t", "20"] + pattern + h264 + ["-g", "25", clip], timeout: 60)
        longGOP = path("long-gop.ts")
        try await ffmpeg(["-t", "12"] + pattern + h264 + ["-g", "1500", "-keyint_min", "1500", "-sc_threshold", "0", longGOP], timeout: 60)
        threeSecondGOP = path("gop-3s.ts")
        try await ffmpeg(["-t", "12"] + pattern + h264 + ["-g", "75", "-keyint_min", "75", "-sc_threshold", "0", threeSecondGOP], timeout: 60)
        intraRefresh = path("intra-refresh.ts")
        try await ffmpeg(["-t", "12"] + pattern + h264 + ["-x264-params", "intra-refresh=1:keyint=50", intraRefresh], timeout: 60)

        vodFolder = directory.appendingPathComponent("vod")
        try FileManager.default.createDirectory(at: vodFolder, withIntermediateDirectories: true)
        try await ffmpeg(["-t", "3"] + pattern + h264 + ["-g", "25", "-f", "hls", "-hls_time", "1",
                    "-hls_playlist_type", "vod", "-hls_segment_filename", vodFolder.appendingPathComponent("seg%d.ts").path,
                    vodFolder.appendingPathComponent("vod.m3u8").path], timeout: 60)

        resolutionFolder = directory.appendingPathComponent("resolution")
        try FileManager.default.createDirectory(at: resolutionFolder, withIntermediateDirectories: true)
        for (name, size) in [("big", "320x240"), ("small", "160x120")] {
            try await ffmpeg(["-t", "2", "-f", "lavfi", "-i", "testsrc2=size=\(size):rate=25"] + h264 + [
                "-g", "25", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
                "-hls_segment_filename", resolutionFolder.appendingPathComponent("\(name)%d.ts").path,
                resolutionFolder.appendingPathComponent("\(name).m3u8").path,
            ], timeout: 60)
        }
    }
}

/// Writes an HLS playlist of `entries` (segment URI, or `nil` for a discontinuity marker).
func writePlaylist(_ entries: [String?], to url: URL, ended: Bool = true) throws {
    var text = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
    if ended { text += "#EXT-X-PLAYLIST-TYPE:VOD\n" }
    for entry in entries {
        if let entry {
            text += "#EXTINF:1.000000,\n\(entry)\n"
        } else {
            text += "#EXT-X-DISCONTINUITY\n"
        }
    }
    if ended { text += "#EXT-X-ENDLIST\n" }
    try text.write(to: url, atomically: true, encoding: .utf8)
}
