/// A known video: the vPDQ frame hashes of one video, kept whole so video-level rules
/// (`VideoMatchRule`) can compare a query against all of its frames, not just the ones that matched.
public struct BankVideo: Sendable, Hashable {
    /// Unique within its bank. The file's base name without extension when the file holds one
    /// video; with several videos in one file (as `vigil hash` writes for several inputs), the base
    /// name of the `# path` comment line before each video's frames. A suffix `#2`, `#3`... keeps
    /// ids unique when two files share a base name.
    public var id: String
    /// The file the frames were read from.
    public var file: String
    /// Every frame in file order, whatever its quality: the match rule filters by quality itself so
    /// that its threshold stays adjustable.
    public var frames: [VideoFrameHash]

    /// Creates a video.
    public init(id: String, file: String, frames: [VideoFrameHash]) {
        self.id = id
        self.file = file
        self.frames = frames
    }
}
