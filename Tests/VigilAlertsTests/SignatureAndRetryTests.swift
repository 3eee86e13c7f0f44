import Foundation
import Testing
import VigilAlerts
import VigilTestSupport

@Suite("Webhook signature and retry policy")
struct SignatureAndRetryTests {
    @Test("HMAC-SHA256 over \"timestamp.body\", as Python's hmac computes it")
    func signature() {
        let body = Data(#"{"id":"x"}"#.utf8)
        let signature = WebhookSignature.sign(body: body, timestamp: 1_700_000_000, secret: "topsecret")
        #expect(signature == "sha256=f222a6bd6510f7a55e2f9c68bb0d0cd64ab31438cf9e89d64a903ae820701be6")
        #expect(WebhookSignature.verify(body: body, timestamp: 1_700_000_000, secret: "topsecret", signature: signature))
        #expect(!WebhookSignature.verify(body: body, timestamp: 1_700_000_001, secret: "topsecret", signature: signature))
        #expect(!WebhookSignature.verify(body: body, timestamp: 1_700_000_000, secret: "other", signature: signature))
        #expect(!WebhookSignature.verify(body: Data("{}".utf8), timestamp: 1_700_000_000, secret: "topsecret", signature: signature))
    }

    @Test("backoff doubles up to the maximum, with half of each wait random")
    func backoff() {
        let policy = RetryPolicy(initial: 1, multiplier: 2, maximum: 10)
        var random = SplitMix64(state: 7)
        for failures in 1...12 {
            let base = min(10.0, pow(2.0, Double(failures - 1)))
            for _ in 0..<50 {
                let delay = policy.delay(afterFailures: failures, using: &random)
                #expect(delay >= base / 2 && delay <= base)
            }
        }
        // Jitter spreads retries: 50 draws are not all the same.
        let draws = Set((0..<50).map { _ in policy.delay(afterFailures: 3, using: &random) })
        #expect(draws.count > 40)
    }
}
