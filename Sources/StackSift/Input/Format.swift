import Foundation
/// How a file's bytes are encoded, detected from its first bytes — never from its name.
public enum InputFormat: String, Sendable, Codable, CaseIterable {
    case plain, lz4, gzip, zstd

    public enum Sniffed: Sendable, Equatable {
        case format(InputFormat)
        case unsupported(String)
        case binary
        /// A compressed file whose start is damaged (`damagedStart`), and what is wrong.
        case damaged(InputFormat, String)
    }

    /// Identifies the encoding of a stream from (at least) its first bytes.
    /// - Parameter checkBinary: also classify clearly binary plain content (directory walks).
    /// - Parameter path: the file's name, which tells a damaged compressed file from binary.
    public static func sniff(_ head: UnsafeRawBufferPointer, checkBinary: Bool = true, path: String = "") -> Sniffed {
        let b = head
        func at(_ i: Int) -> UInt8 { i < b.count ? b[i] : 0 }
        if b.count >= 4 {
            let magic = UInt32(at(0)) | UInt32(at(1)) << 8 | UInt32(at(2)) << 16 | UInt32(at(3)) << 24
            if magic == 0x184D_2204 { return .format(.lz4) }
            if magic == 0xFD2F_B528 { return .format(.zstd) }
            if magic == 0x184C_2102 { return .unsupported("legacy LZ4 format (lz4 -l)") }
            if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
                // Skippable frame: shared by LZ4 and zstd; look at the frame after it.
                let size = Int(UInt32(at(4)) | UInt32(at(5)) << 8 | UInt32(at(6)) << 16 | UInt32(at(7)) << 24)
                let next = 8 + size
                if next + 4 <= b.count {
                    return sniff(UnsafeRawBufferPointer(rebasing: b[next...]), checkBinary: checkBinary, path: path)
                }
                return .format(.lz4)
            }
        }
        if at(0) == 0x1F && at(1) == 0x8B { return .format(.gzip) }
        if b.count >= 6 && at(0) == 0xFD && at(1) == 0x37 && at(2) == 0x7A && at(3) == 0x58 && at(4) == 0x5A { return .unsupported("xz") }
        if b.count >= 3 && at(0) == 0x42 && at(1) == 0x5A && at(2) == 0x68 { return .unsupported("bzip2") }
        if b.count >= 4 && at(0) == 0x50 && at(1) == 0x4B && at(2) == 0x03 && at(3) == 0x04 { return .unsupported("zip") }
        if let (format, why) = damagedStart(b, path: path) { return .damaged(format, why) }
        if checkBinary && looksBinary(b) { return .binary }
        return .format(.plain)
    }

    /// Binary content that is most likely a compressed file with a damaged start: its first bytes
    /// one bit away from a magic number, or its name says so (`app.log.1.gz`). Such a file is
    /// reported as damaged rather than read as text or skipped as binary (a rotated log must
    /// not vanish because one byte of it flipped). Returns the format and what is wrong.
    public static func damagedStart(_ head: UnsafeRawBufferPointer, path: String) -> (InputFormat, String)? {
        guard head.count >= 4 else { return nil }
        let binary = looksBinary(head)
        func bitsOff(_ expected: [UInt8]) -> Int {
            zip(head.prefix(expected.count), expected).reduce(0) { $0 + ($1.0 ^ $1.1).nonzeroBitCount }
        }
        let magics: [(InputFormat, [UInt8], String)] = [
            (.gzip, [0x1F, 0x8B], ".gz"), (.lz4, [0x04, 0x22, 0x4D, 0x18], ".lz4"), (.zstd, [0x28, 0xB5, 0x2F, 0xFD], ".zst"),
        ]
        let name = (path as NSString).lastPathComponent.lowercased()
        for (format, magic, suffix) in magics {
            let named = name.hasSuffix(suffix) || (format == .gzip && name.hasSuffix(".gzip")) || (format == .zstd && name.hasSuffix(".zstd"))
            // no text starts one bit away from a magic number (control bytes, stray 0x8B…)
            guard bitsOff(magic) == 1 || (named && binary) else { continue }
            let start = head.prefix(4).map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
            let expected = magic.map { String($0, radix: 16).leftPadded(2) }.joined(separator: " ")
            return (format, "damaged \(format.rawValue) data: the file starts with \(start), not the \(format.rawValue) magic number \(expected)")
        }
        return nil
    }

    /// Text logs may hold a stray NUL or control byte; binary files are full of them.
    static func looksBinary(_ b: UnsafeRawBufferPointer) -> Bool {
        let n = min(b.count, 8192)
        if n == 0 { return false }
        var odd = 0
        for i in 0..<n {
            let c = b[i]
            if c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B) || c == 0x7F { odd += 1 }
        }
        return odd * 10 > n  // more than 10% control bytes
    }

    public func makeDecoder() -> any StreamDecoder {
        switch self {
        case .plain: PassthroughDecoder()
        case .lz4: LZ4FrameDecoder()
        case .gzip: GzipDecoder()
        case .zstd: ZstdDecoder()
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
