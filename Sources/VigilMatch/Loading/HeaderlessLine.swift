/// Reads a line of a file without a header row. Each line's shape says what it is, so a file may
/// mix them (as `vigil hash` output for several inputs does):
///
/// - `hash`: a plain hash list;
/// - `hash,quality[,path[,...]]`: `vigil hash` image output; the third column is kept as metadata
///   `path`, later ones as `col4`, `col5`...;
/// - `frameNumber,quality,hash,timestamp[,...]`: a vPDQ line, recognised by its leading frame number;
///   extra columns (such as `vigil hash --dihedral`'s variant name) are kept as `col5`, `col6`...
enum HeaderlessLine {
    static func record(_ fields: [String]) throws(BankProblem) -> LineRecord {
        if fields.count == 1 {
            return LineRecord(hash: try FieldParsers.hash(fields[0]), metadata: [:])
        }
        if let frameNumber = FieldParsers.frameNumber(fields[0]) {
            guard fields.count >= 4 else {
                throw .vpdqFieldCount(fields.count)
            }
            let quality = try FieldParsers.quality(fields[1])
            let hash = try FieldParsers.hash(fields[2])
            let timestamp = try FieldParsers.timestamp(fields[3])
            return LineRecord(
                hash: hash,
                quality: quality,
                metadata: extraColumns(fields, from: 4, firstName: nil),
                frame: LineRecord.Frame(number: frameNumber, quality: quality, timestampSeconds: timestamp)
            )
        }
        let hash = try FieldParsers.hash(fields[0])
        let quality = try FieldParsers.quality(fields[1])
        return LineRecord(hash: hash, quality: quality, metadata: extraColumns(fields, from: 2, firstName: "path"))
    }

    private static func extraColumns(_ fields: [String], from start: Int, firstName: String?) -> [String: String] {
        var metadata: [String: String] = [:]
        for index in fields.indices where index >= start && !fields[index].isEmpty {
            let name = index == start ? (firstName ?? "col\(index + 1)") : "col\(index + 1)"
            metadata[name] = fields[index]
        }
        return metadata
    }
}
