import Foundation

/// Specs (streams, banks) stored as JSON text in the fleet's tables: the same encoding a single
/// node stores in SQLite, so a spec reads the same wherever it was kept.
enum StoredJSON {
    /// `value` as JSON text; `what` names it in the error.
    static func encode<T: Encodable>(_ value: T, what: String) throws(ClusterError) -> String {
        do {
            return String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        } catch {
            throw ClusterError(database: what, reason: .database("cannot encode: \(error)"))
        }
    }

    /// A `T` from the JSON text read from `table`.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, table: String) throws(ClusterError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw ClusterError(database: table, reason: .database("a stored row cannot be read: \(error)"))
        }
    }
}
