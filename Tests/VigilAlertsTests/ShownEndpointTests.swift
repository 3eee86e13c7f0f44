import Testing
import VigilAlerts

@Suite("ShownEndpoint")
struct ShownEndpointTests {
    @Test("a webhook is shown by scheme, host and port: paths, queries and user information hold tokens", arguments: [
        ("https://hooks.example/services/T0/B0/secret", "https://hooks.example/***"),
        ("http://127.0.0.1:8080/hook?key=secret", "http://127.0.0.1:8080/***"),
        ("https://user:pw@hooks.example", "https://hooks.example"),
        ("https://hooks.example?token=x", "https://hooks.example/***"),
        ("not a url with secret", "***"),
    ])
    func shows(_ url: String, _ shown: String) {
        #expect(ShownEndpoint(url).description == shown)
    }

    @Test("delivery errors name the receiver without its token")
    func errors() {
        let status = WebhookError.status(url: "https://hooks.example/T0/secret?k=v", code: 500, body: "oops")
        #expect(status.description == "https://hooks.example/***: HTTP 500 oops")
        let transport = WebhookError.transport(url: "http://u:pw@10.0.0.1:9/secret", reason: "connection refused")
        #expect(transport.description == "http://10.0.0.1:9/***: connection refused")
    }
}
