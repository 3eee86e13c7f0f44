/// A rectangle inside a picture, in pixels, origin at the top-left corner.
public struct CropRect: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Left edge.
    public let x: Int
    /// Top edge.
    public let y: Int
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int

    /// Creates a rectangle.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// `WxH+X+Y`, as ffmpeg's crop filter and ImageMagick write it.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
