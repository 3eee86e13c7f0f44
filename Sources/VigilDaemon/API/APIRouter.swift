import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import VigilAlerts

/// The HTTP API documented in README.md, on Hummingbird.
///
/// Every route but `GET /healthz` needs a bearer token (`read` scope to read, `admin` to change);
/// request bodies are limited to `api.max_body_bytes`; every error is JSON.
enum APIRouter {
    static func make(core: DaemonCore) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: core.logger))
        router.add(middleware: BearerAuthMiddleware(
            tokens: { core.apiTokens }, openPaths: ["/healthz", OpenAPIDocument.path], logger: core.logger))

        router.get("/healthz") { _, _ in JSONResponse.make(Health(faults: core.hub.faults.current)) }
        router.get(RouterPath(OpenAPIDocument.path)) { _, _ -> Response in try OpenAPIDocument.response() }

        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            core.supervisor.refreshMetrics()
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: core.metrics.render())))
        }

        router.get("/v1/streams") { _, _ in JSONResponse.make(StreamList(streams: await core.streamStatuses().map { $0.shownToClients() })) }

        router.get("/v1/discovery") { _, _ in JSONResponse.make(DiscoveryList(sources: core.discovery.statuses())) }

        router.get("/v1/nodes") { _, _ -> Response in
            guard let nodes = try await core.nodes() else {
                throw APIError(.notFound, "this daemon is a single node (no cluster section in its config)")
            }
            return JSONResponse.make(NodeList(nodes: nodes))
        }

        router.post("/v1/streams") { request, _ -> Response in
            let body = try await readBody(request, core: core)
            let spec: StreamSpec
            do {
                spec = try JSONConfigValue.stream(body, allowFiles: core.config.api.allowFileSources)
            } catch let error as ConfigError {
                throw APIError(.unprocessableContent, error.description)
            }
            try await core.addStream(spec)
            return JSONResponse.make(status: .created, try await core.streamStatus(id: spec.id).shownToClients())
        }

        router.get("/v1/streams/:id") { _, context -> Response in
            JSONResponse.make(try await core.streamStatus(id: context.parameters.require("id")).shownToClients())
        }

        router.delete("/v1/streams/:id") { _, context -> Response in
            try await core.removeStream(id: context.parameters.require("id"))
            return Response(status: .noContent)
        }

        router.get("/v1/alerts") { request, _ -> Response in
            let query = request.uri.queryParameters
            var after: AlertID?
            if let text = query.get("after"), !text.isEmpty {
                guard let id = AlertID(text) else { throw APIError(.badRequest, "after must be an alert id (a 26-character ULID)") }
                after = id
            }
            var limit = 100
            if let text = query.get("limit") {
                guard let value = Int(text), (1...1000).contains(value) else { throw APIError(.badRequest, "limit must be a number in 1...1000") }
                limit = value
            }
            let alerts = try await core.hub.outbox.alerts(after: after, limit: limit)
            return JSONResponse.make(AlertPage(alerts: alerts.map { AlertView($0) }, nextAfter: alerts.last?.alert.id.rawValue ?? after?.rawValue))
        }

        router.get("/v1/alerts/:id") { _, context -> Response in
            let text = try context.parameters.require("id")
            guard let id = AlertID(text) else { throw APIError(.badRequest, "not an alert id (a 26-character ULID)") }
            guard let stored = try await core.hub.outbox.alert(id) else { throw APIError(.notFound, "no alert with id \(text)") }
            return JSONResponse.make(AlertView(stored))
        }

        router.get("/v1/sinks") { _, _ -> Response in
            JSONResponse.make(SinkList(sinks: try await core.sinkSummaries()))
        }

        // The rows of a sink removed from the configuration, which nothing will deliver.
        router.delete("/v1/sinks/:name") { _, context -> Response in
            let name = try context.parameters.require("name")
            guard !core.hub.sinkNames.contains(name) else {
                throw APIError(.conflict, "sink \(name.debugDescription) is configured; remove it from the configuration first")
            }
            guard try await core.sinkSummaries().contains(where: { $0.sink == name }) else {
                throw APIError(.notFound, "no deliveries for a sink named \(name.debugDescription)")
            }
            let dropped = try await core.hub.outbox.dropSink(name)
            core.logger.notice("deliveries of a removed sink dropped", metadata: ["sink": "\(name)", "undelivered": "\(dropped)"])
            return JSONResponse.make(DroppedSink(sink: name, undelivered: dropped))
        }

        // Dead letters back in the queue, oldest first: `from` and `through` (alert ids, both
        // optional and inclusive) narrow it to a range.
        router.post("/v1/sinks/:name/replay") { request, context -> Response in
            let name = try context.parameters.require("name")
            guard core.hub.sinkNames.contains(name) else { throw APIError(.notFound, "no sink named \(name.debugDescription)") }
            var bounds: [String: AlertID] = [:]
            for key in ["from", "through"] {
                guard let text = request.uri.queryParameters.get(key), !text.isEmpty else { continue }
                guard let id = AlertID(text) else { throw APIError(.badRequest, "\(key) must be an alert id (a 26-character ULID)") }
                bounds[key] = id
            }
            let requeued = try await core.hub.replay(sink: name, from: bounds["from"], through: bounds["through"])
            core.logger.notice("dead letters requeued", metadata: ["sink": "\(name)", "alerts": "\(requeued)"])
            return JSONResponse.make(Replayed(sink: name, requeued: requeued))
        }

        addScanRoutes(to: router, core: core)

        router.get("/v1/banks") { _, _ in JSONResponse.make(BankList(banks: await core.bankStatuses())) }

        router.post("/v1/banks") { request, _ -> Response in
            let body = try await readBody(request, core: core)
            let spec: BankSpec
            do {
                spec = try JSONConfigValue.bank(body)
            } catch let error as ConfigError {
                throw APIError(.unprocessableContent, error.description)
            }
            return JSONResponse.make(status: .created, try await core.addBank(spec))
        }

        router.delete("/v1/banks/:name") { _, context -> Response in
            try await core.removeBank(name: context.parameters.require("name"))
            return Response(status: .noContent)
        }

        router.post("/v1/banks/:name/reload") { _, context -> Response in
            JSONResponse.make(try await core.reloadBank(name: context.parameters.require("name")))
        }
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }

    /// `POST /v1/scans`, `GET /v1/scans`, `GET /v1/scans/{id}`.
    private static func addScanRoutes(to router: Router<APIRequestContext>, core: DaemonCore) {
        router.post("/v1/scans") { request, _ -> Response in
            let body = try await readBody(request, core: core)
            do throws(ScanJobError) {
                let parsed: ScanRequest
                do throws(ScanRequestError) {
                    parsed = try ScanRequest.parse(body)
                } catch {
                    throw .invalid(error.description)
                }
                let (job, created) = try await core.submitScan(parsed)
                return JSONResponse.make(status: created ? .accepted : .ok, ScanJobView(job))
            } catch {
                throw apiError(error)
            }
        }

        router.get("/v1/scans") { request, _ -> Response in
            let query = request.uri.queryParameters
            var state: ScanJob.State?
            if let text = query.get("state"), !text.isEmpty {
                guard let value = ScanJob.State(rawValue: text) else {
                    throw APIError(.badRequest, "state must be one of \(ScanJob.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = value
            }
            var limit = 100
            if let text = query.get("limit") {
                guard let value = Int(text), (1...1000).contains(value) else { throw APIError(.badRequest, "limit must be a number in 1...1000") }
                limit = value
            }
            do throws(ScanJobError) {
                return JSONResponse.make(ScanJobList(scans: try await core.scanJobs(state: state, limit: limit).map(ScanJobView.init)))
            } catch {
                throw apiError(error)
            }
        }

        router.get("/v1/scans/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            do throws(ScanJobError) {
                return JSONResponse.make(ScanJobView(try await core.scanJob(id: id)))
            } catch {
                throw apiError(error)
            }
        }
    }

    /// The HTTP answer to a refused scan-job request.
    private static func apiError(_ error: ScanJobError) -> APIError {
        switch error {
        case .invalid: APIError(.unprocessableContent, error.description)
        case .refused: APIError(.forbidden, error.description)
        case .idTaken: APIError(.conflict, error.description)
        case .queueFull: APIError(.tooManyRequests, error.description, retryAfter: DaemonCore.scanRetryAfter)
        case .notFound: APIError(.notFound, error.description)
        case .storeUnavailable: APIError(.serviceUnavailable, error.description, retryAfter: DaemonCore.scanRetryAfter)
        }
    }

    /// The request body, refusing more than `api.max_body_bytes` (checked against Content-Length
    /// first, so an honest oversized upload is refused before it is read) and non-JSON types.
    private static func readBody(_ request: Request, core: DaemonCore) async throws -> Data {
        let limit = core.config.api.maxBodyBytes
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "send the body as application/json")
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "the request body is \(length) bytes; the limit is \(limit)")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Data(buffer: buffer)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "the request body exceeds the limit of \(limit) bytes")
        }
    }
}
