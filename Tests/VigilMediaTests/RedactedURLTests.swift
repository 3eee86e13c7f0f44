import Testing
import VigilMedia

@Suite("RedactedURL")
struct RedactedURLTests {
    @Test("user information and query values are masked; parameter names, host, port and path stay", arguments: [
        ("rtsp://admin:hunter2@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1"),
        ("rtsp://admin@10.0.0.5/stream1", "rtsp://***@10.0.0.5/stream1"),
        ("https://cdn.example/live/index.m3u8?token=abc&expires=170", "https://cdn.example/live/index.m3u8?token=***&expires=***"),
        ("srt://relay.example:9000?passphrase=longsecret&streamid=cam1", "srt://relay.example:9000?passphrase=***&streamid=***"),
        ("http://host/clip.mp4?SECRETONLY", "http://host/clip.mp4?***"),
        ("http://host/clip.mp4?a=1&&b", "http://host/clip.mp4?a=***&&***"),
        ("http://u:p@host/clip.mp4#frag-secret", "http://***@host/clip.mp4"),
        ("rtmp://u:p@ss@media.example/live/key", "rtmp://***@media.example/live/key"),
        ("rtsp://u:p@[::1]:8554/x?k=v", "rtsp://***@[::1]:8554/x?k=***"),
        ("rtsp://host/path@not-userinfo", "rtsp://host/path@not-userinfo"),
        ("udp://127.0.0.1:5000", "udp://127.0.0.1:5000"),
        ("/srv/media/clip.mp4", "/srv/media/clip.mp4"),
        ("file:///srv/media/clip.mp4", "file:///srv/media/clip.mp4"),
        ("http://u:p@", "http://***@"),
        ("", ""),
    ])
    func masks(_ url: String, _ shown: String) {
        #expect(RedactedURL(url).description == shown)
    }

    @Test("media errors name the input without its credentials")
    func mediaErrors() {
        let error = MediaError.openFailed(url: "rtsp://admin:hunter2@10.0.0.5/s?token=t0k", reason: "Connection refused")
        #expect(error.description == "rtsp://***@10.0.0.5/s?token=***: cannot open (Connection refused)")
        let refused = MediaError.refusedInput(url: "https://cdn.example/a.m3u8", refused: "http://u:pw@10.0.0.1/seg.ts?sig=abc")
        #expect(!refused.description.contains("pw") && !refused.description.contains("abc"), "\(refused)")
        #expect(error.url.contains("hunter2"), "the reader still has the real address")
    }
}
