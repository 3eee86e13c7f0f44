/// Why an input that decoded fine still cannot be hashed.
public struct UnhashableInput: Error, CustomStringConvertible {
    /// The input.
    public var path: String
    /// Its picture width.
    public var width: Int
    /// Its picture height.
    public var height: Int

    public var description: String {
        "\(path): image too small to hash (\(width)x\(height); PDQ needs at least 5x5 pixels)"
    }
}
