#if canImport(Glibc)
import Glibc
#endif

/// One file being followed, keyed by identity (device + inode), not by name: a file renamed
/// inside a followed directory, or reached through two names, is the same `FollowedFile`.
///
/// A file is read through `fd` from `readOffset` on. Its report is `base` (earlier generations,
/// earlier runs, everything before the sink's start) plus what the current `sink` committed.
/// A dormant file (idle, nothing held) has no descriptor and no sink; it keeps only offsets and
/// fingerprints and is reopened, after checking it is still the same content, when it changes.
final class FollowedFile {
    enum Kind: Equatable {
        /// Not yet sniffed (empty, or too few bytes to tell).
        case unclassified
        case plain
        /// Rotated history: decoded once, never followed.
        case compressed(InputFormat)
    }

    /// Changes only when copytruncate's copy takes over the old generation.
    var identity: FileIdentity
    /// The latest name it was seen under.
    var path: String
    var kind: Kind = .unclassified
    var sourceIndex: Int
    var fd: Int32 = -1
    /// Raw bytes consumed (the file position for plain files).
    var readOffset: Int64 = 0
    /// The first bytes of this generation (up to a fingerprint's length), as read.
    var head: [UInt8] = []
    /// The head fingerprint, when it comes from a checkpoint and `head` is not known yet.
    var storedHead: Fingerprint?
    /// The content fingerprint of a compressed file resumed from a checkpoint.
    var storedContent: Fingerprint?
    /// The bytes before `readOffset`, fingerprinted when a dormant file gave back its descriptor.
    var storedMarker: Fingerprint?
    /// Ordinal of the last event (orders exemplars within the file).
    var nextOrdinal = 0
    var sink: FollowSink?
    var base: FileReport
    // Resume data for the next sink.
    var resumeOffset: Int64 = 0
    var resumePreviousTime: Int64?
    var resumeContainer: ContainerUnwrapper.Mode?
    /// Compressed: the decoder, and decoded bytes to drop (a restart resumes by decoding again).
    var decoder: (any StreamDecoder)?
    var skipDecoded: Int64 = 0
    var decodedOffset: Int64 = 0
    /// Compressed: the first decoded bytes, the identity that dedupes `app.log.1` against
    /// `app.log.1.gz`.
    var decodedHead: [UInt8] = []
    /// Events from this file raise no alerts (compressed history).
    var quiet = false

    var firstSeen: Double
    var lastActivity: Double
    /// When the file stopped being reachable under a followed name (renamed away, deleted, its
    /// symlink retargeted): it is drained, then let go after `rotateWait` without growth.
    var unreachableSince: Double?
    var lastSize: Int64 = -1
    var lastMtime: Int64 = -1
    /// Found after the first scan: compressed files wait until their size settles.
    var appearedLate = false
    /// Classification waits (too few bytes, a compressed file still growing) until then.
    var classifyAt: Double?

    init(identity: FileIdentity, path: String, sourceIndex: Int, now: Double) {
        self.identity = identity
        self.path = path
        self.sourceIndex = sourceIndex
        base = FileReport(path: path, format: "plain")
        firstSeen = now
        lastActivity = now
    }

    deinit { closeDescriptor() }

    var isDormant: Bool { fd < 0 }

    var headFingerprint: Fingerprint {
        if head.isEmpty, let storedHead { return storedHead }
        return Fingerprint(head)
    }

    /// The fingerprint of the content (decoded for compressed files).
    var contentFingerprint: Fingerprint? {
        switch kind {
        case .compressed: return decodedHead.isEmpty ? storedContent : Fingerprint(decodedHead)
        case .plain: return head.isEmpty ? storedHead : Fingerprint(head)
        case .unclassified: return nil
        }
    }

    /// The decoded offset up to which everything is counted.
    var commitOffset: Int64 { sink?.commitOffset ?? resumeOffset }
    var previousTime: Int64? { sink?.commitPreviousTime ?? resumePreviousTime }
    var container: ContainerUnwrapper.Mode? { sink?.containerMode ?? resumeContainer }

    /// Base plus what the sink has committed.
    func report() -> FileReport {
        var r = base
        r.path = path
        if let sink {
            sink.committed.add(to: &r)
            if let m = sink.containerMode, m != .none { r.container = m.rawValue }
        }
        if case .plain = kind { r.compressedBytes = r.bytes }
        return r
    }

    /// Folds the sink into `base` and drops it, keeping what a new sink needs to continue.
    func retireSink() {
        guard let sink else { return }
        base = report()
        resumeOffset = sink.commitOffset
        resumePreviousTime = sink.commitPreviousTime
        resumeContainer = sink.containerMode
        self.sink = nil
    }

    /// Extends `head` over what has been read, up to a fingerprint's length.
    func extendHead() {
        guard fd >= 0, head.count < Fingerprint.headLength, readOffset > Int64(head.count) else { return }
        head = FileIO.pread(fd, count: Int(min(Int64(Fingerprint.headLength), readOffset)), at: 0)
    }

    func closeDescriptor() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
