import Foundation

/// The streams being published, read from nginx-rtmp's statistics page (`rtmp_stat all`):
/// `rtmp/server/application/live/stream` elements whose own `publishing` child says a publisher
/// is on (a stream with only players waiting has none; a client's `publishing` is not the
/// stream's).
///
/// The page is read by a small scanner of its own rather than Foundation's `XMLParser`, which
/// crashes the process on some malformed documents (element names that are not UTF-8) and leaks
/// on every refused one: a statistics page cut short, corrupted on the way or answered by
/// something else must be an error, never a crash. It reads elements, text and character
/// references, skips declarations, comments and attributes, and expands no entity but the five
/// XML predefines, so a document cannot make it grow.
enum NginxRTMPStatistics {
    /// Deepest element nesting accepted (the page nests six deep).
    static let maximumDepth = 64

    /// Parses the page.
    ///
    /// - Throws: a reason in words when the bytes are not the statistics XML.
    static func publishedStreams(in data: Data) throws(DiscoveryResponseError) -> [PublishedStream] {
        let bytes = [UInt8](data)
        var reader = StatisticsReader()
        var position = 0
        var text: [UInt8] = []
        while position < bytes.count {
            guard bytes[position] == UInt8(ascii: "<") else {
                // Names are short; a page stuffing an element with text is cut, not buffered whole.
                if text.count < PublishedStream.maximumLength * 2 { text.append(bytes[position]) }
                position += 1
                continue
            }
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: ">")) else {
                throw DiscoveryResponseError("the rtmp_stat XML ends inside a tag")
            }
            let tag = bytes[(position + 1)..<end]
            position = end + 1
            if tag.first == UInt8(ascii: "?") || tag.first == UInt8(ascii: "!") {
                // A declaration, a comment or a doctype. A doctype's internal subset, where
                // entities are declared, is refused: the page has none.
                if tag.starts(with: Array("!DOCTYPE".utf8)), tag.contains(UInt8(ascii: "[")) {
                    throw DiscoveryResponseError("not the rtmp_stat XML: a document type with declarations")
                }
                if tag.starts(with: Array("!--".utf8)) {
                    guard let close = find(Array("-->".utf8), in: bytes, from: tag.startIndex) else {
                        throw DiscoveryResponseError("the rtmp_stat XML ends inside a comment")
                    }
                    position = close + 3
                }
                continue
            }
            if tag.first == UInt8(ascii: "/") {
                try reader.end(name: elementName(tag.dropFirst()), text: decodeText(text))
            } else {
                let selfClosing = tag.last == UInt8(ascii: "/")
                let name = elementName(selfClosing ? tag.dropLast() : tag)
                try reader.start(name: name)
                if selfClosing { try reader.end(name: name, text: "") }
            }
            text.removeAll(keepingCapacity: true)
        }
        guard reader.sawRoot else { throw DiscoveryResponseError("not the rtmp_stat XML: no <rtmp> root element") }
        // A page cut short (a proxy's timeout, a full disk) must not read as "nothing published".
        guard reader.closedRoot else { throw DiscoveryResponseError("the rtmp_stat XML ends before </rtmp>") }
        return reader.published
    }

    /// An element's name: the tag's bytes up to the first space (attributes are not needed).
    private static func elementName(_ tag: ArraySlice<UInt8>) -> String {
        let name = tag.prefix { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == UInt8(ascii: "/")) }
        return String(decoding: name, as: UTF8.self)
    }

    /// Text with the five predefined entities and character references replaced; anything
    /// else after `&` stays as written.
    private static func decodeText(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            rest = rest[ampersand...]
            guard let semicolon = rest.prefix(12).firstIndex(of: ";") else {
                result += "&"
                rest = rest.dropFirst()
                continue
            }
            let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
            if let character = character(for: entity) {
                result.append(character)
                rest = rest[rest.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest.dropFirst()
            }
        }
        return result + rest
    }

    private static func character(for entity: Substring) -> Character? {
        switch entity {
        case "lt": return "<"
        case "gt": return ">"
        case "amp": return "&"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let number: UInt32?
            if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                number = UInt32(entity.dropFirst(2), radix: 16)
            } else if entity.hasPrefix("#") {
                number = UInt32(entity.dropFirst())
            } else {
                number = nil
            }
            return number.flatMap(Unicode.Scalar.init).map(Character.init)
        }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for index in start...(bytes.count - needle.count) where bytes[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    /// Walks the document keeping the path of open elements.
    private struct StatisticsReader {
        var published: [PublishedStream] = []
        var sawRoot = false
        var closedRoot = false
        private var path: [String] = []
        private var application = ""
        private var stream: (name: String, publishing: Bool)?

        private static let applicationPath = ["rtmp", "server", "application"]
        private static let streamPath = applicationPath + ["live", "stream"]

        mutating func start(name: String) throws(DiscoveryResponseError) {
            guard !name.isEmpty else { throw DiscoveryResponseError("not the rtmp_stat XML: an element without a name") }
            guard !closedRoot else { throw DiscoveryResponseError("not the rtmp_stat XML: elements after </rtmp>") }
            guard path.count < NginxRTMPStatistics.maximumDepth else {
                throw DiscoveryResponseError("not the rtmp_stat XML: elements nested more than \(NginxRTMPStatistics.maximumDepth) deep")
            }
            if path.isEmpty {
                guard name == "rtmp" else { throw DiscoveryResponseError("not the rtmp_stat XML: the root element is <\(name.prefix(40))>") }
                sawRoot = true
            }
            path.append(name)
            if path == Self.applicationPath { application = "" }
            if path == Self.streamPath { stream = ("", false) }
            if path == Self.streamPath + ["publishing"] { stream?.publishing = true }
        }

        mutating func end(name: String, text: String) throws(DiscoveryResponseError) {
            guard path.last == name else {
                throw DiscoveryResponseError("not the rtmp_stat XML: </\(name.prefix(40))> closes <\((path.last ?? "").prefix(40))>")
            }
            if path == Self.applicationPath + ["name"] { application = text }
            if path == Self.streamPath + ["name"] { stream?.name = text }
            if path == Self.streamPath, let finished = stream {
                if finished.publishing, !finished.name.isEmpty {
                    published.append(PublishedStream(app: application, name: finished.name))
                }
                stream = nil
            }
            if path == ["rtmp"] { closedRoot = true }
            path.removeLast()
        }
    }
}
