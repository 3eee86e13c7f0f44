/// Failed authentications per client, and how long each next failure waits: the state machine
/// behind ``BearerAuthMiddleware``'s slowing of token guessing.
///
/// The first failure costs nothing (a mistyped token); each one after it, from the same address,
/// waits twice as long as the one before, from a quarter second up to ``maximumDelay``. A client
/// that stays quiet for ``forgetAfter`` starts over, as does one that authenticates. The table
/// holds at most ``capacity`` clients: when full, the one quiet the longest is forgotten.
struct FailedAuthentications: Sendable {
    /// Longest wait before a failed request is answered.
    static let maximumDelay: Duration = .seconds(8)
    /// Seconds without a failure after which a client's count starts over.
    static let forgetAfter: Double = 600
    /// Most clients remembered at once.
    let capacity: Int

    private struct Client {
        var failures: Int
        var lastFailure: Double
    }

    private var clients: [String: Client] = [:]

    init(capacity: Int = 4096) {
        self.capacity = max(1, capacity)
    }

    /// Records a failure from `client` at `now` (seconds on a monotonic clock); returns how many
    /// failures in a row that makes and how long to wait before answering.
    mutating func failed(client: String, now: Double) -> (failures: Int, delay: Duration) {
        var entry = clients[client] ?? Client(failures: 0, lastFailure: now)
        if now - entry.lastFailure > Self.forgetAfter { entry.failures = 0 }
        entry.failures += 1
        entry.lastFailure = now
        if clients[client] == nil, clients.count >= capacity,
           let quietest = clients.min(by: { $0.value.lastFailure < $1.value.lastFailure })?.key {
            clients[quietest] = nil
        }
        clients[client] = entry
        return (entry.failures, Self.delay(afterFailures: entry.failures))
    }

    /// Forgets `client`'s failures: it presented a valid token.
    mutating func succeeded(client: String) {
        clients[client] = nil
    }

    /// Clients remembered now.
    var count: Int { clients.count }

    /// Zero for the first failure, then a quarter second doubling up to ``maximumDelay``.
    static func delay(afterFailures failures: Int) -> Duration {
        guard failures > 1 else { return .zero }
        let doublings = min(failures - 2, 16)
        return min(.milliseconds(250) * (1 << doublings), maximumDelay)
    }
}
