import Hummingbird
import NIOCore

/// The API's request context: Hummingbird's basic one, plus the client's address, which
/// authentication needs to slow a client that guesses tokens.
struct APIRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connected client; nil when the channel no longer knows it.
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
