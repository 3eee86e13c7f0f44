/// Where one alert stands with one sink.
public enum DeliveryState: String, Codable, Sendable, CaseIterable {
    /// Not delivered yet; being tried, or waiting for its next try.
    case pending
    /// The sink acknowledged it.
    case delivered
    /// Given up on after the sink's maximum age; kept for inspection, never deleted.
    case dead
}
