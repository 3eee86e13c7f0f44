import Foundation
import VigilDetect
import VigilHash

/// One line of `vigil hash` output, in text or JSON form.
enum HashRecord {
    /// A still image: `hash,quality,path`.
    case image(path: String, width: Int, height: Int, hash: PDQHash, quality: Int, dihedral: [PDQHash]?)
    /// A sampled video frame: vPDQ's `frameNumber,quality,hash,timestamp`.
    case videoFrame(path: String, frame: HashedFrame)

    /// Text lines. With dihedral variants each variant gets its own line, with the variant's name
    /// appended as an extra column, so the first columns stay in the standard format.
    var textLines: [String] {
        switch self {
        case .image(let path, _, _, let hash, let quality, let dihedral):
            guard let dihedral else { return ["\(hash.hex),\(quality),\(path)"] }
            return Dihedral.allCases.map { "\(dihedral[$0.rawValue].hex),\(quality),\(path),\($0)" }
        case .videoFrame(_, let frame):
            let prefix = "\(frame.index),\(frame.quality),"
            let suffix = "," + Self.timestamp(frame.ptsSeconds)
            guard let dihedral = frame.dihedral else { return [prefix + frame.hash.hex + suffix] }
            return Dihedral.allCases.map { prefix + dihedral[$0.rawValue].hex + suffix + ",\($0)" }
        }
    }

    /// One JSON object.
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data?
        switch self {
        case .image(let path, let width, let height, let hash, let quality, let dihedral):
            data = try? encoder.encode(ImageJSON(
                type: "image", input: path, width: width, height: height, hash: hash.hex, quality: quality,
                dihedral: dihedral.map(Self.dihedralDictionary)))
        case .videoFrame(let path, let frame):
            data = try? encoder.encode(FrameJSON(
                type: "frame", input: path, frame: frame.index, pts_seconds: (frame.ptsSeconds * 1000).rounded() / 1000,
                keyframe: frame.isKeyframe, hash: frame.hash.hex, quality: frame.quality,
                dihedral: frame.dihedral.map(Self.dihedralDictionary)))
        }
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Seconds with three decimals, as vPDQ writes them.
    static func timestamp(_ seconds: Double) -> String {
        String(format: "%.3f", seconds)
    }

    private static func dihedralDictionary(_ hashes: [PDQHash]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: Dihedral.allCases.map { ($0.description, hashes[$0.rawValue].hex) })
    }

    private struct ImageJSON: Encodable {
        var type: String
        var input: String
        var width: Int
        var height: Int
        var hash: String
        var quality: Int
        var dihedral: [String: String]?
    }

    private struct FrameJSON: Encodable {
        var type: String
        var input: String
        var frame: Int
        var pts_seconds: Double
        var keyframe: Bool
        var hash: String
        var quality: Int
        var dihedral: [String: String]?
    }
}
