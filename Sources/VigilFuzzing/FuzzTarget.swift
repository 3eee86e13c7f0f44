import Foundation
import VigilAlerts
import VigilDaemon
import VigilHash
import VigilMatch

/// The parsers that take bytes from outside — hash lists, hex hashes, the config file, the API's
/// JSON bodies — each as a function of arbitrary bytes, for libFuzzer (`vigil-fuzz`) and for the
/// corpus tests, which replay every seed and every input that once crashed.
///
/// A target returns normally for any input: an input refused with an error is a pass. It stops
/// the process (a trap) when a parser crashes or breaks a property that must hold whatever the
/// input: a hash that parses prints back as the same hex, a bank that loads has one entry per
/// accepted line at most.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A bank file in any of its formats (`BankLoader.parse`).
    case bank
    /// A PDQ hash in hex, through both the checked and the hot-path parser.
    case hex
    /// A `vigil.yml` (`ConfigLoader.parse`, no environment).
    case config
    /// A `POST /v1/streams` body.
    case apiStream = "api-stream"
    /// A `POST /v1/banks` body.
    case apiBank = "api-bank"
    /// A `POST /v1/scans` body.
    case apiScan = "api-scan"
    /// A media server's statistics answer (nginx-rtmp XML, MediaMTX and SRS JSON), whose stream
    /// names publishers choose.
    case discovery

    /// Runs the target on `bytes`.
    public func run(_ bytes: Data) {
        switch self {
        case .bank: Self.bank(bytes)
        case .hex: Self.hex(bytes)
        case .config: Self.config(bytes)
        case .apiStream: _ = try? JSONConfigValue.stream(bytes, allowFiles: true)
        case .apiBank: _ = try? JSONConfigValue.bank(bytes)
        case .apiScan: Self.scan(bytes)
        case .discovery: Self.discovery(bytes)
        }
    }

    /// An accepted request names a job its alerts can carry, with a callback that stays what it
    /// was through storage.
    private static func scan(_ bytes: Data) {
        guard let request = try? ScanRequest.parse(bytes) else { return }
        if let id = request.id, ScanReference.streamName(job: id).count > 64 { fatalError("job id too long for an alert: \(id)") }
        if let callback = request.callback {
            let stored = callback.data
            if stored.count > ScanRequest.maximumCallbackBytes || callback.depth > ScanRequest.maximumCallbackDepth {
                fatalError("callback over the limits accepted")
            }
            if (try? JSONValue(parsing: stored)) != callback { fatalError("callback changed through storage: \(callback)") }
        }
    }

    private static func bank(_ bytes: Data) {
        guard let result = try? BankLoader.parse(data: bytes, file: "fuzz.txt", skipInvalid: true) else { return }
        let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        precondition(result.bank.entries.count <= lines, "a bank of \(lines) lines loaded \(result.bank.entries.count) entries")
    }

    private static func hex(_ bytes: Data) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let hash = try? PDQHash(hex: text) {
            precondition(hash.hex == text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(),
                         "\(text.debugDescription) parsed as \(hash.hex)")
        }
        guard bytes.count >= 64 else { return }
        let fast = bytes.withUnsafeBytes { PDQHash(hexDigits: $0.bindMemory(to: UInt8.self).baseAddress!) }
        let checked = try? PDQHash(hex: String(decoding: bytes.prefix(64), as: UTF8.self))
        precondition(fast == checked, "the hot-path and checked parsers disagree on \(bytes.prefix(64).debugDescription)")
    }

    /// Whatever the names, a discovered stream's id is a valid identifier and its play URL stays
    /// on the template's host and application.
    private static func discovery(_ bytes: Data) {
        let template = "rtmp://127.0.0.1:1935/{app}/{name}"
        for kind in DiscoverySpec.Kind.allCases {
            for stream in DiscoveryAnswer.publishedStreams(bytes, kind: kind) ?? [] {
                precondition(StreamURLPolicy.isValidIdentifier(stream.streamID), "id \(stream.streamID.debugDescription)")
                guard let url = stream.playURL(template) else { continue }
                precondition(url.hasPrefix("rtmp://127.0.0.1:1935/"), "play URL \(url.debugDescription)")
                precondition(StreamURLPolicy.problem(with: url, allowFiles: false) == nil, "play URL \(url.debugDescription)")
                let path = url.dropFirst("rtmp://127.0.0.1:1935/".count)
                precondition(!path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty },
                             "play URL \(url.debugDescription) climbs out")
            }
        }
    }

    private static func config(_ bytes: Data) {
        // Invalid UTF-8 is refused by the reader before parsing; the fuzzer reaches the parser
        // with what decodes.
        guard let text = String(data: bytes, encoding: .utf8) else { return }
        _ = try? ConfigLoader.parse(text, file: "fuzz.yml", environment: [:])
    }
}
