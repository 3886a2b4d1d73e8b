import DSLimits
import Foundation

/// One chart axis: the data interval it spans and its tick values with their labels
/// ("nice numbers": 1, 2 or 5 times a power of ten, Heckbert 1990).
struct ChartAxis {
    var lo: Double
    var hi: Double
    var ticks: [Double]
    var labels: [String]

    /// The nice number nearest to `x` (rounding) or at least `x` (not rounding).
    static func niceNumber(_ x: Double, round: Bool) -> Double {
        let exponent = floor(log10(x))
        let fraction = x / pow(10, exponent)
        let nice: Double
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return nice * pow(10, exponent)
    }

    /// An axis over [lo, hi] with about `count` ticks. `extend` widens the interval to the
    /// outermost ticks; otherwise ticks stay inside it. `log` means the values are log10 of the
    /// data: ticks fall on data-space nice numbers and are labelled in data space.
    static func make(_ lo: Double, _ hi: Double, count: Int, extend: Bool, log: Bool = false) -> ChartAxis {
        var lo = lo, hi = hi
        guard (hi - lo).isFinite, lo.isFinite, hi.isFinite else {
            // A span beyond the largest double: only the ends are labelled.
            return ChartAxis(lo: lo, hi: hi, ticks: [lo, hi], labels: [shortExponent(lo), shortExponent(hi)])
        }
        if hi <= lo {
            let d = log ? 0.5 : (lo == 0 ? 1 : Swift.abs(lo) * 0.1)
            lo -= d
            hi += d
        }
        if log { return logAxis(lo, hi, count: count) }
        var step = niceNumber((hi - lo) / Double(Swift.max(1, count - 1)), round: true)
        var ticks = tickValues(lo, hi, step: step, extend: extend)
        while ticks.count < 2 && step > (hi - lo) * 1e-3 {
            step = smallerNice(step)
            ticks = tickValues(lo, hi, step: step, extend: extend)
        }
        if extend, let a = ticks.first, let b = ticks.last { lo = a; hi = b }
        return ChartAxis(lo: lo, hi: hi, ticks: ticks, labels: labels(ticks, step: step))
    }

    /// Multiples of `step` covering [lo, hi] (`extend`) or inside it.
    static func tickValues(_ lo: Double, _ hi: Double, step: Double, extend: Bool) -> [Double] {
        let first = extend ? (lo / step).rounded(.down) : (lo / step - 1e-9).rounded(.up)
        let last = extend ? (hi / step).rounded(.up) : (hi / step + 1e-9).rounded(.down)
        guard first <= last, last - first < 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// The next nice step below `step` (10 → 5 → 2 → 1).
    static func smallerNice(_ step: Double) -> Double {
        let power = pow(10, floor(log10(step) + 1e-9))
        let fraction = (step / power).rounded()
        return fraction >= 5 ? 2 * power : fraction >= 2 ? power : power / 2
    }

    /// Ticks for a log10-scaled axis: whole decades when two fall inside, else nice data values.
    static func logAxis(_ lo: Double, _ hi: Double, count: Int) -> ChartAxis {
        let first = (lo - 1e-9).rounded(.up), last = (hi + 1e-9).rounded(.down)
        if last - first >= 1 {
            let every = Swift.max(1, Int(((last - first) / Double(Swift.max(1, count - 1))).rounded(.up)))
            let decades = stride(from: first, through: last, by: Double(every)).map { $0 }
            return ChartAxis(lo: lo, hi: hi, ticks: decades, labels: decades.map { powerLabel(Int($0)) })
        }
        let linear = make(pow(10, lo), pow(10, hi), count: count, extend: false)
        let ticks = linear.ticks.filter { $0 > 0 }
        let kept = Set(ticks)
        let labels = zip(linear.ticks, linear.labels).filter { kept.contains($0.0) }.map { $0.1 }
        return ChartAxis(lo: lo, hi: hi, ticks: ticks.map { log10($0) }, labels: labels)
    }

    /// `10^k` written plainly for small k (`0.01`, `1000`) and as `1e-5` otherwise.
    static func powerLabel(_ k: Int) -> String {
        if k >= 0 && k <= 4 { return String(Int(pow(10, Double(k)))) }
        if k < 0 && k >= -3 { return "0." + String(repeating: "0", count: -k - 1) + "1" }
        return "1e\(k)"
    }

    /// Labels with as many decimals as the step needs; exponent form for very large or small values.
    static func labels(_ ticks: [Double], step: Double) -> [String] {
        let biggest = ticks.map { Swift.abs($0) }.max() ?? 0
        if biggest >= 1e6 || (step < 1e-4 && biggest > 0) {
            return ticks.map { $0 == 0 ? "0" : shortExponent($0) }
        }
        let decimals = Swift.max(0, Int(-floor(log10(step) + 1e-9)))
        return ticks.map { tick in
            let text = NumberText.printf("%.\(decimals)f", tick)
            return text.hasPrefix("-") && text.allSatisfy({ "-0.".contains($0) }) ? String(text.dropFirst()) : text
        }
    }

    /// `2.5e-05` as `2.5e-5`.
    static func shortExponent(_ x: Double) -> String {
        let text = NumberText.printf("%.2g", x)
        guard let e = text.firstIndex(of: "e") else { return text }
        let mantissa = text[..<e]
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" || exponent.first == "+" {
            if exponent.first == "-" { sign = "-" }
            exponent = exponent.dropFirst()
        }
        while exponent.count > 1, exponent.first == "0" { exponent = exponent.dropFirst() }
        return "\(mantissa)e\(sign)\(exponent)"
    }

    /// Where `v` falls in [lo, hi], as a fraction (0 at lo, 1 at hi); computed in halves so that
    /// spans beyond the largest double stay finite.
    func fraction(_ v: Double) -> Double {
        guard hi > lo else { return 0.5 }
        let f = (v / 2 - lo / 2) / (hi / 2 - lo / 2)
        return f.isFinite ? f : 0.5
    }
}

/// `x` rounded to an Int, with non-finite values as 0 and huge ones clamped (never a trap).
@inline(__always)
func clampedInt(_ x: Double) -> Int {
    guard x.isFinite else { return 0 }
    return Int(Swift.max(-1e9, Swift.min(1e9, x.rounded())))
}

/// A grid of braille cells, each with 2 × 4 dots; every dot remembers the series that set it,
/// and a cell takes the colour of the series that set most of its dots.
struct BrailleCanvas {
    let columns: Int, rows: Int
    private var dots: [Int8]  // -1 empty, else series index

    init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
        dots = [Int8](repeating: -1, count: columns * 2 * rows * 4)
    }

    var dotWidth: Int { columns * 2 }
    var dotHeight: Int { rows * 4 }

    /// Sets dot (x, y) (y from the top); dots outside the canvas are ignored.
    mutating func set(_ x: Int, _ y: Int, series: Int) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        dots[y * dotWidth + x] = Int8(truncatingIfNeeded: series % 127)
    }

    /// A straight line of dots between two dots (Bresenham).
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, series: Int) {
        var x = x0, y = y0
        let dx = Swift.abs(x1 - x0), dy = -Swift.abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        var guardCount = 0
        while guardCount <= dx - dy + 1 {
            set(x, y, series: series)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
            guardCount += 1
        }
    }

    /// The bit of dot (dx, dy) inside a braille cell (Unicode's dot numbering).
    static let bits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// The canvas as chart cells.
    func cells() -> [[Chart.Cell]] {
        var out: [[Chart.Cell]] = []
        for r in 0..<rows {
            var line: [Chart.Cell] = []
            for c in 0..<columns {
                var mask: UInt32 = 0
                var votes: [Int: Int] = [:]
                for dx in 0..<2 {
                    for dy in 0..<4 {
                        let s = dots[(r * 4 + dy) * dotWidth + c * 2 + dx]
                        if s >= 0 {
                            mask |= BrailleCanvas.bits[dx][dy]
                            votes[Int(s), default: 0] += 1
                        }
                    }
                }
                if mask == 0 {
                    line.append(Chart.Cell())
                } else {
                    let winner = votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }?.key
                    let character = Unicode.Scalar(0x2800 + mask).map(Character.init) ?? "?"
                    line.append(Chart.Cell(character: character, series: winner))
                }
            }
            out.append(line)
        }
        return out
    }
}
