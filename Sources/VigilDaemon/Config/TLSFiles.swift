/// The PEM files of a TLS listener (`api.tls`).
public struct TLSFiles: Sendable, Equatable {
    /// The certificate chain, leaf first.
    public var certificate: String
    /// The private key of the leaf certificate.
    public var key: String

    /// Names the two files.
    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
