import DSLanguage
import DSLimits
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tqdm-like progress bar for standard error: count, percentage, elapsed time, ETA, rate and a
/// postfix (`loss=0.123`). On a terminal it redraws one line in place (`\r`, at most every
/// `minInterval` seconds, first at the first update, so a REPL prompt is not overwritten);
/// otherwise it prints a plain line at every tenth of the total and at least every
/// `plainInterval` seconds, and one at the end; with `quiet` it prints nothing.
///
/// Samplers and training helpers drive it from Swift: `ProgressBar(total: steps, description:
/// "ddim", context: context)`, `bar.update()`, `bar.close()`.
public final class ProgressBar {
    public let total: Int?
    public var description: String
    public private(set) var count = 0
    /// Text after the rate, as in tqdm (`loss=0.123`).
    public var postfix = ""
    public private(set) var isClosed = false
    /// Seconds between redraws on a terminal.
    public var minInterval = 0.1
    /// The most seconds between plain lines (besides one at every tenth of the total).
    public var plainInterval = 30.0
    /// Cells of the bar itself.
    public var barWidth = 20

    let interactive: Bool
    /// Replaces the drawn line in place where the front end can (a notebook's display updates);
    /// nil: `\r` redraws on the terminal.
    var present: ((_ line: String, _ first: Bool) -> Void)?
    private var presented = false
    let quiet: Bool
    let clock: () -> Double
    let write: (String) -> Void
    let start: Double
    private var lastDraw = -Double.infinity
    /// The count and time of the first update: the rate is measured from it.
    private var firstUpdate: (count: Int, time: Double)?
    /// Less time than this since the start tells no rate (a bar made just before its first update).
    static let minimumRateInterval = 0.05
    private var nextTenth = 1
    private var lastPlainCount = -1

    public init(
        total: Int?, description: String = "", interactive: Bool, quiet: Bool,
        clock: @escaping () -> Double = ProgressBar.monotonic, write: @escaping (String) -> Void
    ) {
        self.total = total.map { Swift.max(0, $0) }
        self.description = description
        self.interactive = interactive
        self.quiet = quiet
        self.clock = clock
        self.write = write
        self.start = clock()
        lastPlainCount = -1
    }

    /// A bar on the interpreter's standard error, following its settings; in a notebook, an
    /// output that updates in place.
    public convenience init(total: Int?, description: String = "", context: CallContext) {
        let rich = RichOutput.of(context)
        self.init(total: total, description: description,
                  interactive: rich != nil || context.settings.interactiveErrorStream,
                  quiet: context.settings.quiet, write: { context.writeError($0) })
        if let rich {
            let id = rich.newDisplayID()
            present = { line, first in rich.show?([("text/plain", .text(line))], id, !first) }
        }
    }

    /// Seconds on a monotonic clock.
    public static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Advances the count by `n` and redraws when due.
    public func update(_ n: Int = 1) {
        guard !isClosed else { return }
        count = Swift.max(0, Swift.min(1 << 53, count + Swift.max(-(1 << 53), Swift.min(1 << 53, n))))
        draw(force: false)
    }

    /// Sets the postfix from name–value pairs (`loss=0.1234, lr=0.001`).
    public func set(_ items: [(String, String)]) {
        postfix = items.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
    }

    /// A number as tqdm shows it in a postfix (four significant digits).
    public static func formatValue(_ x: Double) -> String {
        if x.rounded() == x && Swift.abs(x) < 1e9 { return String(Int(x)) }
        var text = NumberText.significant(x, 4)
        if let e = text.firstIndex(of: "e") {
            var exponent = text[text.index(after: e)...]
            let sign = exponent.first == "-" ? "-" : ""
            exponent = exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" }
            text = String(text[..<e]) + "e" + sign + (exponent.isEmpty ? "0" : String(exponent))
        }
        return text
    }

    /// Draws the final state and ends the line; later updates are ignored.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        guard !quiet else { return }
        let now = clock()
        if let present {
            present(line(now: now), !presented)
        } else if interactive {
            write("\r" + line(now: now) + "\u{1B}[K\n")
        } else if lastPlainCount != count {
            write(line(now: now) + "\n")
        }
    }

    private func draw(force: Bool) {
        guard !quiet else { return }
        let now = clock()
        if firstUpdate == nil { firstUpdate = (count, now) }
        if interactive {
            let finished = total.map { count >= $0 } ?? false
            guard force || finished || now - lastDraw >= minInterval else { return }
            lastDraw = now
            if let present {
                present(line(now: now), !presented)
                presented = true
            } else {
                write("\r" + line(now: now) + "\u{1B}[K")
            }
            return
        }
        var due = now - (lastDraw.isFinite ? lastDraw : start) >= plainInterval
        if let total, total > 0 {
            let tenths = count * 10 / total
            if tenths >= nextTenth {
                due = true
                nextTenth = tenths + 1
            }
        }
        guard due else { return }
        lastDraw = now
        lastPlainCount = count
        write(line(now: now) + "\n")
    }

    /// The bar's text at time `now`.
    public func line(now: Double) -> String {
        ProgressBar.format(count: count, total: total, elapsed: now - start, description: description,
                           postfix: postfix, barWidth: barWidth, rate: rate(now: now))
    }

    /// Items per second: from the start while that is the only measure and long enough, then from
    /// the first update (a sampler makes its bar when its first step is done, so counting from the
    /// start would report thousands of steps per second at the first tick). 0: not known yet.
    func rate(now: Double) -> Double {
        if let first = firstUpdate, count > first.count, now > first.time {
            return Double(count - first.count) / (now - first.time)
        }
        let elapsed = now - start
        return elapsed >= Self.minimumRateInterval ? Double(count) / elapsed : 0
    }

    /// `desc: 45%|█████████▏          | 450/1000 [00:02<00:03, 180.00it/s, loss=0.12]`, or without
    /// a total `desc: 450it [00:02, 180.00it/s]`.
    public static func format(
        count: Int, total: Int?, elapsed: Double, description: String, postfix: String, barWidth: Int = 20,
        rate measured: Double? = nil
    ) -> String {
        let rate = measured ?? (elapsed > 0 ? Double(count) / elapsed : 0)
        var rateText = "?it/s"
        if rate > 0 {
            rateText = rate >= 1 ? NumberText.printf("%.2fit/s", rate) : NumberText.printf("%.2fs/it", 1 / rate)
        }
        let tail = postfix.isEmpty ? "" : ", " + postfix
        let head = description.isEmpty ? "" : description + ": "
        guard let total, total > 0 else {
            return "\(head)\(count)it [\(duration(elapsed)), \(rateText)\(tail)]"
        }
        let fraction = Swift.max(0, Swift.min(1, Double(count) / Double(total)))
        let percent = Int(fraction * 100)
        let eta = rate > 0 ? duration(Double(Swift.max(0, total - count)) / rate) : "?"
        let bar = bar(fraction, width: barWidth)
        let percentText = String(repeating: " ", count: Swift.max(0, 3 - String(percent).count)) + "\(percent)%"
        return "\(head)\(percentText)|\(bar)| \(count)/\(total) [\(duration(elapsed))<\(eta), \(rateText)\(tail)]"
    }

    /// Eighth-block partial cells for the bar's edge.
    static let partial: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// `width` cells filled to `fraction`.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int(fraction * Double(width * 8))
        let full = Swift.min(width, eighths / 8)
        var text = String(repeating: "█", count: full)
        if full < width {
            text.append(partial[eighths % 8])
            text += String(repeating: " ", count: width - full - 1)
        }
        return text
    }

    /// `05:07` or `1:02:03`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "?" }
        let s = Int(seconds)
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(two(m)):\(two(r))"
    }
}
