import NIOSSL
import Synchronization

/// The API listener's TLS context, loaded from `api.tls` and replaced on SIGHUP.
///
/// Each new connection takes the context in force when it is accepted; connections already open
/// keep theirs. A reload whose files do not load leaves the running context in place.
final class APITLSContext: Sendable {
    private let current: Mutex<NIOSSLContext>

    /// Loads the certificate chain and key `files` name.
    init(_ files: TLSFiles) throws(DaemonError) {
        current = Mutex(try Self.load(files))
    }

    /// The context new connections use.
    var context: NIOSSLContext { current.withLock { $0 } }

    /// Loads `files` again and, if they load, makes them the context for new connections.
    func reload(_ files: TLSFiles) throws(DaemonError) {
        let context = try Self.load(files)
        current.withLock { $0 = context }
    }

    private static func load(_ files: TLSFiles) throws(DaemonError) -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw DaemonError("api.tls.certificate: cannot read a PEM certificate chain from \(files.certificate): \(error)")
        }
        guard !chain.isEmpty else {
            throw DaemonError("api.tls.certificate: \(files.certificate) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw DaemonError("api.tls.key: cannot read a PEM private key from \(files.key): \(error)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw DaemonError("api.tls: the certificate and key do not make a TLS context (do they belong together?): \(error)")
        }
    }
}
