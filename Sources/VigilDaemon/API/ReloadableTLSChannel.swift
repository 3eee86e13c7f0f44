import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// A server connection set up with TLS from the context in force when it was accepted, then
/// handed to `base`: Hummingbird's own TLS channel fixes its context at start, and certificates
/// must be replaceable without a restart.
struct ReloadableTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let tls: APITLSContext

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Base.Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
