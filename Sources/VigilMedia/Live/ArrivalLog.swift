import Foundation

/// When recent packets arrived, by timestamp, so that a picture decoded later (after buffering, or
/// out of a decoder's reorder delay) is stamped with the time its data was actually received.
struct ArrivalLog {
    struct Arrival {
        /// Monotonic seconds, for timeline arithmetic.
        let monotonic: Double
        /// Wall-clock time, for reporting.
        let date: Date
    }

    private var entries: [(timestamp: Int64, arrival: Arrival)] = []
    private var next = 0
    private let capacity: Int

    init(capacity: Int = 512) {
        self.capacity = capacity
        entries.reserveCapacity(capacity)
    }

    mutating func record(timestamp: Int64?, arrival: Arrival) {
        guard let timestamp else { return }
        if entries.count < capacity {
            entries.append((timestamp, arrival))
        } else {
            entries[next] = (timestamp, arrival)
            next = (next + 1) % capacity
        }
    }

    /// The arrival of the packet with this timestamp, if it is still remembered.
    func arrival(of timestamp: Int64?) -> Arrival? {
        guard let timestamp, !entries.isEmpty else { return nil }
        // Newest first: timestamps can repeat after a reset.
        for offset in 1...entries.count {
            let position = (next - offset + entries.count) % entries.count
            if entries[position].timestamp == timestamp { return entries[position].arrival }
        }
        return nil
    }
}
