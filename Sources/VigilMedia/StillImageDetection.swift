extension StreamDescription {
    /// Codecs that carry one picture per file, unlike `mjpeg`, which is also used for video.
    private static let stillImageCodecs: Set<String> = ["png", "webp", "bmp", "tiff", "jpeg2000", "jpegls", "qoi"]

    /// Whether this stream is a still image: anything from an image demuxer (`image2`, `*_pipe`),
    /// or a single picture in an image codec.
    ///
    /// Still images are converted the way the `ffmpeg` tool does it, so the distinction decides
    /// which conversion a picture gets.
    func isStillImage(formatName: String) -> Bool {
        let demuxers = formatName.split(separator: ",")
        if demuxers.contains(where: { $0 == "image2" || $0 == "image2pipe" || $0.hasSuffix("_pipe") }) {
            return true
        }
        return Self.stillImageCodecs.contains(codecName) && frameCount <= 1
    }
}
