import Foundation
internal import CYaml

/// Checks made before a catalog file is handed to Yams, whose composer recurses once per level
/// of nesting (thousands of `[` crash it with a stack overflow) and which echoes a whole
/// offending line, however long, in its errors: a pattern catalog is a few dozen KB of text
/// nested a few levels deep, so anything far from that is refused with a short reason.
enum CatalogFileGuard {
    static let maxBytes = 16 << 20
    static let maxDepth = 64

    /// The file's size, refused past `maxBytes` before it is read.
    static func sizeProblem(_ file: String) -> String? {
        guard let size = FileStatus.of(path: file)?.size, size > maxBytes else { return nil }
        return "\(size) bytes is too large for a pattern catalog (the limit is \(maxBytes >> 20) MiB): is this the right file?"
    }

    /// A NUL byte, or nesting deeper than `maxDepth`: the line (1-based) and what is wrong.
    static func contentProblem(_ data: Data) -> (line: Int, message: String)? {
        if let nul = data.firstIndex(of: 0) {
            return (line(of: nul - data.startIndex, in: data), "not a text file (a NUL byte at byte offset \(nul - data.startIndex))")
        }
        return data.withUnsafeBytes { buf -> (line: Int, message: String)? in
            guard let base = buf.baseAddress, !buf.isEmpty else { return nil }
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, base.assumingMemoryBound(to: UInt8.self), buf.count)
            // libyaml's parser keeps its own stack of states: no recursion, whatever the depth.
            var depth = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                let type = event.type
                let at = Int(event.start_mark.line) + 1
                yaml_event_delete(&event)
                switch type {
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    if depth > maxDepth {
                        return (at, "nested more than \(maxDepth) levels deep (a pattern catalog needs a few)")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_STREAM_END_EVENT:
                    return nil
                default:
                    break
                }
            }
            // a syntax error: Yams reports it
            return nil
        }
    }

    /// The 1-based line of a byte offset.
    static func line(of offset: Int, in data: Data) -> Int {
        1 + data.prefix(offset).reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
    }
}
