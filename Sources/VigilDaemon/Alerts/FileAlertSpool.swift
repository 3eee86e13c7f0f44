import Foundation
import NIOPosix
import Synchronization
import VigilAlerts
#if canImport(Glibc)
import Glibc
#endif

/// A single node's spool: a file in `state_dir` whose space is reserved when the daemon starts,
/// so that alerts the state database cannot take (disk full, database locked by another process)
/// are still kept durably — writing into space already allocated needs none from the disk.
///
/// Records follow each other from the start of the file: a 4-byte length, an 8-byte FNV-1a
/// checksum, the alert as JSON. A zero length, a length past the end or a wrong checksum (a write
/// the crash cut short) ends the records. Once every record was taken by the outbox the file is
/// zeroed for reuse, its first record's length first, so a crash while zeroing leaves it empty.
/// Alerts past the reservation grow the file while the disk allows.
public final class FileAlertSpool: AlertSpool {
    /// Bytes reserved at start when no other size is given: some thousands of alerts.
    public static let defaultReservation = 4 << 20
    static let headerSize = 12

    /// The spool file.
    public let path: String
    private let reservation: Int
    private let state: Mutex<State>

    private struct State: ~Copyable {
        var descriptor: Int32
        /// Where the next record goes.
        var end: Int
        /// The records in the file, in order, and whether the outbox has taken each.
        var records: [(alert: RaisedAlert, taken: Bool)]
    }

    /// Opens (or creates, mode 0600) the spool at `path`, reads the alerts a previous run left in
    /// it, and reserves `reservation` bytes. A reservation the disk cannot give is not an error:
    /// the spool then takes what space it finds, as any file does.
    public init(path: String, reservation: Int = FileAlertSpool.defaultReservation) throws(AlertFileError) {
        self.path = path
        self.reservation = reservation
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw AlertFileError(path: path, operation: "open", code: errno) }
        let bytes: [UInt8]
        do {
            bytes = try Self.readAll(descriptor, path: path)
        } catch {
            close(descriptor)
            throw error
        }
        let (records, end) = Self.records(in: bytes)
        if bytes.count < reservation { _ = posix_fallocate(descriptor, 0, off_t(reservation)) }
        state = Mutex(State(descriptor: descriptor, end: end, records: records.map { ($0, false) }))
    }

    deinit {
        state.withLock { close($0.descriptor) }
    }

    public func add(_ alert: RaisedAlert) async throws {
        let payload = [UInt8](try AlertCoding.encode(alert))
        try await NIOThreadPool.singleton.runIfActive { [self] in try self.append(alert, payload: payload) }
    }

    public func alerts() async throws -> [RaisedAlert] {
        state.withLock { state in state.records.filter { !$0.taken }.map(\.alert) }
    }

    public func remove(_ id: AlertID) async throws {
        let allTaken = state.withLock { state in
            for index in state.records.indices where state.records[index].alert.id == id { state.records[index].taken = true }
            return !state.records.isEmpty && state.records.allSatisfy(\.taken)
        }
        if allTaken { try await NIOThreadPool.singleton.runIfActive { [self] in try self.reset() } }
    }

    private func append(_ alert: RaisedAlert, payload: [UInt8]) throws(AlertFileError) {
        try state.withLock { state throws(AlertFileError) in
            guard !state.records.contains(where: { $0.alert.id == alert.id && !$0.taken }) else { return }
            var record = [UInt8]()
            record.reserveCapacity(Self.headerSize + payload.count)
            withUnsafeBytes(of: UInt32(payload.count).littleEndian) { record.append(contentsOf: $0) }
            withUnsafeBytes(of: Self.checksum(payload).littleEndian) { record.append(contentsOf: $0) }
            record.append(contentsOf: payload)
            // The end moves only once the record is on disk: a failed write is overwritten by the next.
            try Self.write(record, at: state.end, to: state.descriptor, path: path)
            guard fdatasync(state.descriptor) == 0 else { throw AlertFileError(path: path, operation: "fdatasync", code: errno) }
            state.end += record.count
            state.records.append((alert, false))
        }
    }

    /// Empties the file for reuse, keeping its reservation.
    private func reset() throws(AlertFileError) {
        try state.withLock { state throws(AlertFileError) in
            guard state.records.allSatisfy(\.taken) else { return }
            let first = [UInt8](repeating: 0, count: min(Self.headerSize, state.end))
            try Self.write(first, at: 0, to: state.descriptor, path: path)
            guard fdatasync(state.descriptor) == 0 else { throw AlertFileError(path: path, operation: "fdatasync", code: errno) }
            state.records = []
            if state.end > Self.headerSize {
                try Self.write([UInt8](repeating: 0, count: min(state.end, reservation) - Self.headerSize), at: Self.headerSize,
                               to: state.descriptor, path: path)
            }
            if state.end > reservation { _ = ftruncate(state.descriptor, off_t(reservation)) }
            _ = fdatasync(state.descriptor)
            state.end = 0
        }
    }

    /// The intact records at the start of `bytes`, and where they end.
    static func records(in bytes: [UInt8]) -> (alerts: [RaisedAlert], end: Int) {
        var alerts: [RaisedAlert] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            let length = bytes[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let sum = bytes[offset + 4..<offset + 12].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            guard length > 0, offset + headerSize + length <= bytes.count else { break }
            let payload = Array(bytes[offset + headerSize..<offset + headerSize + length])
            guard checksum(payload) == sum, let alert = try? AlertCoding.decode(Data(payload)) as RaisedAlert else { break }
            alerts.append(alert)
            offset += headerSize + length
        }
        return (alerts, offset)
    }

    /// 64-bit FNV-1a: enough to tell a torn record from a whole one.
    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }

    private static func readAll(_ descriptor: Int32, path: String) throws(AlertFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AlertFileError(path: path, operation: "read", code: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    private static func write(_ bytes: [UInt8], at offset: Int, to descriptor: Int32, path: String) throws(AlertFileError) {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AlertFileError(path: path, operation: "write", code: errno)
            }
            done += count
        }
    }
}
