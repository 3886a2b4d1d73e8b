/// Times reading and writing .safetensors files with the real format code (see run.sh).
#if canImport(Glibc)
import Glibc
#endif
let outFolder = getenv("BENCH_OUT").map { String(cString: $0) } ?? "/tmp"
func now() -> Double { var ts = timespec(); clock_gettime(CLOCK_MONOTONIC, &ts); return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9 }
for path in CommandLine.arguments.dropFirst() {
    do {
        let t0 = now()
        let reader = try SafetensorsReader(path: path)
        var tensors: [(String, Tensor)] = []
        for info in reader.tensorInfos { tensors.append((info.name, try reader.tensor(info.name))) }
        let t1 = now()
        try Safetensors.write(tensors, to: "\(outFolder)/out.safetensors")
        let t2 = now()
        try Safetensors.write(tensors, dtype: .f16, to: "\(outFolder)/out16.safetensors")
        let t3 = now()
        let n = tensors.reduce(0) { $0 + $1.1.count }
        print("\(path): \(n) elements, read \(String(format: t1 - t0)) s, write F32 \(String(format: t2 - t1)) s, write F16 \(String(format: t3 - t2)) s")
    } catch { print("\(path): \(error)") }
}
func String(format x: Double) -> String { let r = (x * 1000).rounded() / 1000; return "\(r)" }
