import Synchronization

/// Where a session's consumer leaves focus requests for the reader's thread, which collects them
/// between packets.
final class FocusInbox: Sendable {
    /// Requests waiting at most; older ones give way (a consumer asking faster than the reader
    /// reads has already asked for more than a focus burst holds).
    static let capacity = 16
    private let requests = Mutex<[FocusRequest]>([])

    /// Leaves a request for the reader.
    func post(_ request: FocusRequest) {
        guard !request.times.isEmpty else { return }
        requests.withLock { requests in
            requests.append(request)
            if requests.count > Self.capacity { requests.removeFirst(requests.count - Self.capacity) }
        }
    }

    /// Takes every waiting request.
    func drain() -> [FocusRequest] {
        requests.withLock { requests in
            defer { requests.removeAll() }
            return requests
        }
    }
}
