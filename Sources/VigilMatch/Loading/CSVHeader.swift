/// The columns of a CSV bank file with a header row.
struct CSVHeader {
    /// Column names as written (trimmed), or `colN` for an unnamed column.
    var names: [String]
    /// Index of the `hash` (or `pdq`) column.
    var hashColumn: Int
    /// Index of the `id` column, if any.
    var idColumn: Int?
    /// Index of the `label` column, if any.
    var labelColumn: Int?
    /// Index of the `quality` column, if any.
    var qualityColumn: Int?
    /// Index of the `signal_type` column of an exchange export (``ExchangeSignal``); its
    /// `signal_str` column is then ``hashColumn``, its `collab` column ``labelColumn``.
    var signalTypeColumn: Int?

    /// How the first data line of a file reads as a header.
    enum Detection {
        /// A usable header.
        case header(CSVHeader)
        /// Not a header: read the line as data.
        case notHeader
        /// Plainly meant as a header, but unusable; the file cannot be read without it.
        case invalid(BankProblem)
    }

    /// Reads `fields` (the first non-comment line that is not valid data) as a header.
    static func detect(_ fields: [String]) -> Detection {
        let keys = fields.map { $0.lowercased() }
        let hashColumns = keys.indices.filter { keys[$0] == "hash" }
        let pdqColumns = keys.indices.filter { keys[$0] == "pdq" }
        let signalType = keys.firstIndex(of: "signal_type")
        let signalValue = keys.firstIndex(of: "signal_str")
        let isExchange = hashColumns.isEmpty && pdqColumns.isEmpty && signalType != nil && signalValue != nil
        guard !hashColumns.isEmpty || !pdqColumns.isEmpty || isExchange else {
            return looksLikeColumnNames(fields) ? .invalid(.missingHashColumn(columns: fields)) : .notHeader
        }
        if !hashColumns.isEmpty, !pdqColumns.isEmpty {
            return .invalid(.conflictingHashColumns)
        }
        var seen: Set<String> = []
        for (index, key) in keys.enumerated() where !key.isEmpty {
            guard seen.insert(key).inserted else {
                return .invalid(.duplicateColumn(fields[index]))
            }
        }
        let names = fields.enumerated().map { $1.isEmpty ? "col\($0 + 1)" : $1 }
        if isExchange, let signalType, let signalValue {
            return .header(CSVHeader(
                names: names, hashColumn: signalValue, idColumn: keys.firstIndex(of: "id"), labelColumn: keys.firstIndex(of: "collab"),
                qualityColumn: nil, signalTypeColumn: signalType))
        }
        return .header(CSVHeader(
            names: names,
            hashColumn: (hashColumns + pdqColumns)[0],
            idColumn: keys.firstIndex(of: "id"),
            labelColumn: keys.firstIndex(of: "label"),
            qualityColumn: keys.firstIndex(of: "quality")
        ))
    }

    /// Reads a data row of an exchange export (``signalTypeColumn`` set).
    func signal(_ fields: [String]) throws(BankProblem) -> ExchangeSignal {
        guard fields.count == names.count, let signalTypeColumn else {
            throw .fieldCount(found: fields.count, expected: names.count)
        }
        // Lowercased names: the export's `category` decides allow entries whatever its case.
        let signal = try ExchangeSignal.read(
            type: fields[signalTypeColumn], value: fields[hashColumn],
            label: labelColumn.flatMap { fields[$0].isEmpty ? nil : fields[$0] }, metadata: otherColumns(fields, lowercased: true))
        guard let idColumn, !fields[idColumn].isEmpty else { return signal }
        switch signal {
        case .pdq(var record):
            record.id = fields[idColumn]
            return .pdq(record)
        case .fileDigest(var entry):
            entry.ids = [fields[idColumn]]
            return .fileDigest(entry)
        case .unsupported:
            return signal
        }
    }

    /// Reads a data row under this header.
    func record(_ fields: [String]) throws(BankProblem) -> LineRecord {
        guard fields.count == names.count else {
            throw .fieldCount(found: fields.count, expected: names.count)
        }
        let hash = try FieldParsers.hash(fields[hashColumn])
        var quality: Int?
        if let qualityColumn, !fields[qualityColumn].isEmpty {
            quality = try FieldParsers.quality(fields[qualityColumn])
        }
        return LineRecord(
            hash: hash,
            id: idColumn.flatMap { fields[$0].isEmpty ? nil : fields[$0] },
            label: labelColumn.flatMap { fields[$0].isEmpty ? nil : fields[$0] },
            quality: quality,
            metadata: otherColumns(fields, lowercased: false),
            frame: nil
        )
    }

    /// The non-empty values of the columns that have no role, by column name: a row's metadata.
    private func otherColumns(_ fields: [String], lowercased: Bool) -> [String: String] {
        let roles: Set<Int?> = [hashColumn, idColumn, labelColumn, qualityColumn, signalTypeColumn]
        var metadata: [String: String] = [:]
        for (index, value) in fields.enumerated() where !roles.contains(index) && !value.isEmpty {
            metadata[lowercased ? names[index].lowercased() : names[index]] = value
        }
        return metadata
    }

    /// Whether a line is plainly a row of column names (so a missing `hash` column deserves its own
    /// message) rather than a malformed data line: several non-empty fields that each start with a
    /// letter, the first holding a non-hex letter so that it cannot be a mistyped hash.
    private static func looksLikeColumnNames(_ fields: [String]) -> Bool {
        guard fields.count >= 2,
              fields.allSatisfy({ $0.first.map { $0.isLetter } ?? false }),
              let first = fields.first
        else {
            return false
        }
        return first.contains { !($0.isASCII && $0.isHexDigit) }
    }
}
