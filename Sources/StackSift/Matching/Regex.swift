internal import CPCRE2

/// A PCRE2 pattern that failed to compile: the library's message and the byte offset in the pattern.
public struct RegexError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at offset \(offset)" }
}

/// A compiled PCRE2 pattern (JIT-compiled when the platform allows). Immutable once built, so
/// one instance is shared by every worker; each worker brings its own `MatchScratch`.
public final class Regex: @unchecked Sendable {
    // SAFETY: the code is never mutated after compilation; PCRE2 allows concurrent matching
    // with one compiled pattern as long as every thread uses its own match data.
    let code: OpaquePointer
    public let pattern: String
    public let captureCount: Int
    /// Named groups: (group number, name), sorted by group number.
    public let groupNames: [(Int, String)]
    public let jit: Bool

    public init(_ pattern: String, caseless: Bool = false) throws(RegexError) {
        self.pattern = pattern
        var errorCode: Int32 = 0
        var errorOffset = 0
        var options: UInt32 = 0
        if caseless { options |= PCRE2_CASELESS }
        let compiled = pattern.withCString { p in
            pcre2_compile_8(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), pattern.utf8.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw RegexError(message: Self.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        jit = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        var nameCount: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMECOUNT), &nameCount)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_NAMETABLE), &table)
        var names: [(Int, String)] = []
        if let table, nameCount > 0 {
            for i in 0..<Int(nameCount) {
                let entry = table + i * Int(entrySize)
                let group = Int(entry[0]) << 8 | Int(entry[1])
                let name = String(cString: entry + 2)
                names.append((group, name))
            }
        }
        groupNames = names.sorted { $0.0 < $1.0 }
    }

    deinit { pcre2_code_free_8(code) }

    static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
        return n > 0 ? String(decoding: buffer[0..<Int(n)], as: UTF8.self) : "PCRE2 error \(code)"
    }
}

/// Per-worker match state: reused match data and a match context carrying the limits that
/// keep a pathological pattern from hanging the run.
public final class MatchScratch {
    let data: OpaquePointer
    let context: OpaquePointer
    let jitStack: OpaquePointer?
    public let ovectorPairs: Int
    /// Matches abandoned because they hit the match, depth or JIT-stack limit.
    public private(set) var limitHits = 0

    public static let defaultMatchLimit: UInt32 = 1_000_000
    public static let defaultDepthLimit: UInt32 = 10_000

    public init(maxCaptureCount: Int, matchLimit: UInt32 = MatchScratch.defaultMatchLimit, depthLimit: UInt32 = MatchScratch.defaultDepthLimit) {
        ovectorPairs = maxCaptureCount + 1
        data = pcre2_match_data_create_8(UInt32(ovectorPairs), nil)
        context = pcre2_match_context_create_8(nil)
        pcre2_set_match_limit_8(context, matchLimit)
        pcre2_set_depth_limit_8(context, depthLimit)
        jitStack = pcre2_jit_stack_create_8(32 * 1024, 1024 * 1024, nil)
        if let jitStack { pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(jitStack)) }
    }

    deinit {
        pcre2_match_data_free_8(data)
        pcre2_match_context_free_8(context)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }

    public enum Outcome: Equatable { case noMatch, matched, limitHit, error(Int32) }

    /// Matches `regex` against `subject` (bytes, no UTF check). After `.matched`, `group(_:)` reads
    /// the capture offsets until the next call.
    public func match(_ regex: Regex, _ subject: UnsafeBufferPointer<UInt8>) -> Outcome {
        precondition(regex.captureCount < ovectorPairs, "match data too small for this pattern")
        return match(code: regex.code, subject)
    }

    /// `match` with a pattern's code read beforehand (`Regex.code`), for callers that checked
    /// its capture count against `ovectorPairs` once, not per match.
    @inline(__always)
    func match(code: OpaquePointer, _ subject: UnsafeBufferPointer<UInt8>) -> Outcome {
        let base = subject.baseAddress ?? UnsafePointer(bitPattern: 1)!
        let rc = pcre2_match_8(code, base, subject.count, 0, 0, data, context)
        if rc > 0 { return .matched }
        if rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL { return .noMatch }
        if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT {
            limitHits += 1
            return .limitHit
        }
        return .error(rc)
    }

    /// Byte range of capture `group` in the last matched subject, nil when it did not take part.
    public func group(_ group: Int) -> Range<Int>? {
        guard group < ovectorPairs else { return nil }
        let ov = pcre2_get_ovector_pointer_8(data)!
        let start = ov[2 * group], end = ov[2 * group + 1]
        // PCRE2_UNSET is ~(size_t)0
        if start == PCRE2_UNSET || end == PCRE2_UNSET || end < start { return nil }
        return Int(start)..<Int(end)
    }
}

private let PCRE2_UNSET = Int(bitPattern: UInt.max)
