import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Yams

/// `GET /openapi.json`: `docs/openapi.yaml` as JSON, with the files it refers to
/// (`./alert.schema.json`) copied in, so a client gets the whole API in one document.
///
/// Both files are compiled into the binary (SwiftPM `embedInCode`, through symlinks in
/// `API/Resources`): the daemon reads nothing at run time, wherever it is installed and whatever
/// its working directory. The conversion runs once, at the first request, and its result is kept.
/// The route needs no token: the document holds nothing the README does not, and the tools that
/// read it (API explorers, client generators, test tools) expect to fetch it as it is.
enum OpenAPIDocument {
    /// Where the API serves the document.
    static let path = "/openapi.json"

    /// Why the embedded YAML could not be turned into JSON.
    struct BuildError: Error, Sendable, CustomStringConvertible {
        /// The file, as the document names it.
        var file: String
        /// The JSON pointer of the offending value ("" for the whole file).
        var pointer: String
        /// What is wrong, in words.
        var reason: String

        var description: String { "\(file)\(pointer.isEmpty ? "" : " at \(pointer)"): \(reason)" }
    }

    /// The main document's name in the errors.
    static let documentName = "openapi.yaml"

    /// The files the document refers to by `$ref`, by the name it uses for each.
    static let referencedFiles: [String: String] = [
        "./alert.schema.json": String(decoding: PackageResources.alert_schema_json, as: UTF8.self),
    ]

    /// The served bytes, built once.
    static let built: Result<Data, BuildError> = Result { () throws(BuildError) in
        try build(yaml: String(decoding: PackageResources.openapi_yaml, as: UTF8.self), files: referencedFiles)
    }

    /// The route's answer. A document that does not build is a defect of the binary (the tests
    /// build it), answered as an internal error that says so.
    static func response() throws(APIError) -> Response {
        switch built {
        case .success(let data):
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        case .failure(let error):
            throw APIError(.internalServerError, "this binary's OpenAPI document is invalid: \(error)")
        }
    }

    /// `yaml` as JSON (sorted keys), each `{"$ref": name}` with `name` in `files` replaced by that
    /// JSON file's content.
    static func build(yaml: String, files: [String: String]) throws(BuildError) -> Data {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw BuildError(file: documentName, pointer: "", reason: "not YAML: \(error)")
        }
        guard let root else { throw BuildError(file: documentName, pointer: "", reason: "empty") }
        let document = try bundle(try jsonValue(root, pointer: ""), pointer: "", files: files)
        do {
            return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        } catch {
            throw BuildError(file: documentName, pointer: "", reason: "not expressible as JSON: \(error)")
        }
    }

    /// A YAML node as the JSON value it stands for, scalars typed by their resolved tag.
    private static func jsonValue(_ node: Node, pointer: String) throws(BuildError) -> Any {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .null: return NSNull()
            case .bool: if let value = node.bool { return value }
            case .int: if let value = node.int { return value }
            case .float: if let value = node.float, value.isFinite { return value }
            case .str: return scalar.string
            default: break
            }
            throw BuildError(file: documentName, pointer: pointer, reason: "\(scalar.string.debugDescription) has no JSON form")
        case .mapping(let mapping):
            var object: [String: Any] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw BuildError(file: documentName, pointer: pointer, reason: "a key that is not a scalar")
                }
                let name = keyScalar.string
                guard object[name] == nil else { throw BuildError(file: documentName, pointer: pointer, reason: "key \(name) twice") }
                object[name] = try jsonValue(value, pointer: pointer + "/" + escaped(name))
            }
            return object
        case .sequence(let sequence):
            var items: [Any] = []
            for (index, item) in sequence.enumerated() {
                items.append(try jsonValue(item, pointer: "\(pointer)/\(index)"))
            }
            return items
        case .alias:
            throw BuildError(file: documentName, pointer: pointer, reason: "YAML aliases are not used in the document")
        }
    }

    /// `value` with every reference to one of `files` replaced by the file's content, placed at
    /// `pointer`: its `$schema` and `$id` go (an `$id` would change what its references resolve
    /// against), and its local references (`#/$defs/…`) are made to point where it now lies.
    private static func bundle(_ value: Any, pointer: String, files: [String: String]) throws(BuildError) -> Any {
        if let object = value as? [String: Any] {
            if object.count == 1, let target = object["$ref"] as? String, let text = files[target] {
                let parsed: Any
                do {
                    parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
                } catch {
                    throw BuildError(file: target, pointer: "", reason: "not JSON: \(error)")
                }
                guard var schema = parsed as? [String: Any] else { throw BuildError(file: target, pointer: "", reason: "not a JSON object") }
                schema["$schema"] = nil
                schema["$id"] = nil
                return relocated(schema, to: pointer)
            }
            var result: [String: Any] = [:]
            for (key, child) in object {
                result[key] = try bundle(child, pointer: pointer + "/" + escaped(key), files: files)
            }
            return result
        }
        if let items = value as? [Any] {
            var result: [Any] = []
            for (index, item) in items.enumerated() {
                result.append(try bundle(item, pointer: "\(pointer)/\(index)", files: files))
            }
            return result
        }
        return value
    }

    /// A file's schema with its document-local references (`#/…`) prefixed by its new place.
    private static func relocated(_ value: Any, to pointer: String) -> Any {
        if var object = value as? [String: Any] {
            for (key, child) in object {
                if key == "$ref", let reference = child as? String, reference.hasPrefix("#/") {
                    object[key] = "#" + pointer + reference.dropFirst()
                } else {
                    object[key] = relocated(child, to: pointer)
                }
            }
            return object
        }
        if let items = value as? [Any] { return items.map { relocated($0, to: pointer) } }
        return value
    }

    /// A key as a JSON pointer token (RFC 6901).
    private static func escaped(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
