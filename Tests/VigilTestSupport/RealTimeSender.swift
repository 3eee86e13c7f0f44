import Foundation

/// `ffmpeg -re` playing a clip, looped, to a live URL (UDP, RTMP, ...): a live source for tests.
///
/// ffmpeg itself is the child, so `terminate()` reaches it; `-t` bounds it in case nobody does.
public func startRealTimeSender(_ clip: String, to url: String, format: String = "mpegts", seconds: Int = 50) throws -> Process {
    let sender = Process()
    sender.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    sender.arguments = ["ffmpeg", "-v", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip,
                        "-t", String(seconds), "-c", "copy", "-f", format, url]
    sender.standardOutput = FileHandle.nullDevice
    sender.standardError = FileHandle.nullDevice
    try sender.run()
    return sender
}

/// Stops a sender for good: ffmpeg playing with `-re -stream_loop` may not exit on one SIGTERM,
/// and a sender left behind would keep feeding a port, and a core, after its test.
public func stopRealTimeSender(_ sender: Process) {
    guard sender.isRunning else { return }
    kill(sender.processIdentifier, SIGKILL)
    sender.waitUntilExit()
}
