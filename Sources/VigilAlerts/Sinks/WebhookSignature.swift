import Crypto
import Foundation

/// Signs webhook bodies so receivers can check they come from Vigil and were not replayed later.
///
/// The signature is HMAC-SHA256, keyed with the shared secret, over `"<timestamp>.<body>"`, where
/// the timestamp (Unix seconds, sent as `X-Vigil-Timestamp`) binds the signature to the time of
/// sending; it is sent as `X-Vigil-Signature: sha256=<64 lowercase hex digits>`.
public enum WebhookSignature {
    /// Header carrying the Unix time in seconds at which the request was signed.
    public static let timestampHeader = "X-Vigil-Timestamp"
    /// Header carrying `sha256=<hex>`.
    public static let signatureHeader = "X-Vigil-Signature"

    /// The header value for `body` sent at `timestamp`.
    public static func sign(body: Data, timestamp: Int, secret: String) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    /// Checks a received signature in constant time; what a receiver does (used by tests).
    public static func verify(body: Data, timestamp: Int, secret: String, signature: String) -> Bool {
        let expected = Array(sign(body: body, timestamp: timestamp, secret: secret).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices {
            difference |= expected[index] ^ given[index]
        }
        return difference == 0
    }
}
