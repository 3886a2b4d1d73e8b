// swift-tools-version:5.9
// dscript: a REPL-driven scripting environment for diffusion models.
//
// Targets, from the bottom up (the list is the architecture):
//   CReadline, COpenBLAS, CPNG   system libraries from Debian's -dev packages
//   CSystem                      glibc's heap statistics and the machine stack's position (a header only)
//   CKernels                     the innermost float loops in C, compiled per CPU level (AVX-512/AVX2/base)
//   CJupyterWire                 ZeroMQ and HMAC-SHA256 for the Jupyter kernel, opened with dlopen
//   DSLimits                     the memory budget that lists, strings, dicts and tensors share; number text (NaN as nan)
//   DSLanguage                   lexer, parser, resolver, runtime, core built-ins; knows nothing of tensors
//   DSEngine                     tensors, autograd, layers, optimizers, file formats (BLAS underneath)
//   DSDiffusion                  schedules, DDPM/DDIM, losses, models built on DSEngine
//   DSRender                     text and SVG output: tensor printing, charts, statistics tables, pictures
//   DSBindings                   registers engine and diffusion built-ins into the language, by tables
//   DSShell                      command line, REPL, line editing, the Jupyter kernel
//   dscript                      the thin executable
import PackageDescription

let package = Package(
    name: "dscript",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dscript", targets: ["dscript"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CReadline", path: "Sources/CReadline", pkgConfig: "readline",
            providers: [.apt(["libreadline-dev"]), .brew(["readline"])]),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev", "zlib1g-dev"]), .brew(["libpng"])]),

        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),

        .target(name: "DSLimits", dependencies: [.target(name: "CSystem", condition: .when(platforms: [.linux]))]),
        .target(
            name: "DSLanguage",
            dependencies: [
                "DSLimits", .target(name: "CSystem", condition: .when(platforms: [.linux])),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-builtin", "-fno-math-errno", "-mprefer-vector-width=512"])]),
        // libzmq and libcrypto are opened with dlopen when `dscript --kernel` starts (linking them
        // would cost every start-up about 3 ms); their headers come from libzmq3-dev and libssl-dev.
        .target(name: "CJupyterWire", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        .target(
            name: "DSEngine",
            dependencies: ["DSLimits", "COpenBLAS", "CPNG", "CKernels"]),
        .target(name: "DSDiffusion", dependencies: ["DSEngine", "DSLimits"]),
        .target(name: "DSRender", dependencies: ["DSEngine", "DSLimits"]),
        .target(name: "DSBindings", dependencies: ["DSLanguage", "DSLimits", "DSEngine", "DSDiffusion", "DSRender"]),
        .target(
            name: "DSShell",
            dependencies: [
                "DSLanguage", "DSLimits", "DSEngine", "DSBindings", "DSRender", "CReadline", "CJupyterWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "dscript", dependencies: ["DSShell"]),

        .testTarget(name: "LanguageTests", dependencies: ["DSLanguage", "DSLimits"]),
        .testTarget(name: "EngineTests", dependencies: ["DSEngine", "CKernels"]),
        .testTarget(name: "DiffusionTests", dependencies: ["DSDiffusion", "DSEngine"]),
        .testTarget(name: "RenderTests", dependencies: ["DSRender", "DSEngine", "DSLimits"]),
        .testTarget(name: "ScriptTests", dependencies: ["DSShell", "DSBindings", "DSRender", "DSLanguage"]),
    ]
)

// libFuzzer targets (scripts/fuzz), built only with DSCRIPT_FUZZ=1, in their own scratch path
// (.build-fuzz), instrumented with -sanitize=fuzzer and AddressSanitizer; debug builds, so the
// fuzz bodies may reach internal readers through @testable imports.
if Context.environment["DSCRIPT_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "dscript-fuzz", dependencies: ["DSBindings", "DSLanguage", "DSEngine", "DSDiffusion", "DSLimits"]))
    package.products.append(.executable(name: "dscript-fuzz", targets: ["dscript-fuzz"]))
}
