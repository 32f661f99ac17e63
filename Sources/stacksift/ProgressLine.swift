import Dispatch
import Foundation
import StackSift

#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on stderr for long runs — only when stderr is a terminal, and
/// only after the run has taken a second, so pipes, CI logs and quick runs stay clean.
final class ProgressLine: @unchecked Sendable {
    // SAFETY: `timer` is created and cancelled on the main thread; the handler only reads
    // the thread-safe `ReadProgress`.
    private let timer: DispatchSourceTimer
    private let progress: ReadProgress
    private let inputs: Int
    private let start = DispatchTime.now()
    private var shown = false

    private init(progress: ReadProgress, inputs: Int) {
        self.progress = progress
        self.inputs = inputs
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
    }

    static func startIfTerminal(inputs: Int, options: inout AnalysisOptions) -> ProgressLine? {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        let progress = ReadProgress()
        options.progress = progress
        let line = ProgressLine(progress: progress, inputs: inputs)
        line.timer.schedule(deadline: .now() + 1, repeating: 0.5)
        line.timer.setEventHandler { line.draw() }
        line.timer.resume()
        return line
    }

    private func draw() {
        let (bytes, files) = progress.snapshot
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let mb = Double(bytes) / 1e6
        let text = String(format: "stacksift: %d/%d inputs, %.0f MB read, %.0f MB/s", files, inputs, mb, mb / max(seconds, 0.001))
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    func stop() {
        timer.cancel()
        // let a handler already running finish before the line is cleared
        DispatchQueue.global(qos: .utility).sync {}
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
