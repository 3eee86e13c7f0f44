import Foundation
import VigilMatch

/// A bank ready for matching: its spec, its matcher and where its files stood when it was read.
public struct LoadedBank: Sendable {
    /// What was asked for.
    public var spec: BankSpec
    /// The bank and its index.
    public var matcher: BankMatcher
    /// When loading finished.
    public var loadedAt: Date
    /// How long reading and indexing took, in seconds.
    public var loadSeconds: Double
    /// The files' sizes and modification times, to notice changes.
    var signature: FileSignature
}

/// Where a bank stands, for the API.
public struct BankStatus: Sendable, Codable, Equatable {
    /// The bank's name.
    public var name: String
    /// Its files and folders.
    public var paths: [String]
    /// Where it was defined.
    public var origin: StreamSpec.Origin
    /// `match` or `allow`.
    public var role: BankRole
    /// Match threshold.
    public var threshold: Int
    /// Quality floor.
    public var minQuality: Int
    /// Distinct hashes in the bank now serving; 0 when none loaded yet.
    public var entries: Int
    /// Known videos in the bank now serving.
    public var videos: Int
    /// Known files by MD5 in the bank now serving.
    public var fileDigests: Int
    /// When the bank now serving was loaded.
    public var loadedAt: Date?
    /// How long that load took, in seconds.
    public var loadSeconds: Double?
    /// Why the last load failed (the previous bank, if any, kept serving).
    public var lastError: String?
    /// In a fleet, an API bank's version (bumped by every reload asked on any node).
    public var version: Int?
    /// In a fleet, what each node serves of an API bank.
    public var nodes: [FleetBanks.NodeLoad]?

    enum CodingKeys: String, CodingKey {
        case name, paths, origin, role, threshold, entries, videos, version, nodes
        case fileDigests = "file_digests"
        case minQuality = "min_quality"
        case loadedAt = "loaded_at"
        case loadSeconds = "load_seconds"
        case lastError = "last_error"
    }
}
