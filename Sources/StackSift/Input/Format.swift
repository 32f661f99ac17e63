/// How a file's bytes are encoded, detected from its first bytes — never from its name.
public enum InputFormat: String, Sendable, Codable, CaseIterable {
    case plain, lz4, gzip, zstd

    public enum Sniffed: Sendable, Equatable {
        case format(InputFormat)
        case unsupported(String)
        case binary
    }

    /// Identifies the encoding of a stream from (at least) its first bytes.
    /// - Parameter checkBinary: also classify clearly binary plain content (directory walks).
    public static func sniff(_ head: UnsafeRawBufferPointer, checkBinary: Bool = true) -> Sniffed {
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
                    return sniff(UnsafeRawBufferPointer(rebasing: b[next...]), checkBinary: checkBinary)
                }
                return .format(.lz4)
            }
        }
        if at(0) == 0x1F && at(1) == 0x8B { return .format(.gzip) }
        if b.count >= 6 && at(0) == 0xFD && at(1) == 0x37 && at(2) == 0x7A && at(3) == 0x58 && at(4) == 0x5A { return .unsupported("xz") }
        if b.count >= 3 && at(0) == 0x42 && at(1) == 0x5A && at(2) == 0x68 { return .unsupported("bzip2") }
        if b.count >= 4 && at(0) == 0x50 && at(1) == 0x4B && at(2) == 0x03 && at(3) == 0x04 { return .unsupported("zip") }
        if checkBinary && looksBinary(b) { return .binary }
        return .format(.plain)
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
