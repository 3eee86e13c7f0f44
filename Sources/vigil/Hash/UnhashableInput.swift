/// Why an input that decoded fine still cannot be hashed.
struct UnhashableInput: Error, CustomStringConvertible {
    var path: String
    var width: Int
    var height: Int

    var description: String {
        "\(path): image too small to hash (\(width)x\(height); PDQ needs at least 5x5 pixels)"
    }
}
