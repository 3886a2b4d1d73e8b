// swift-tools-version:5.9
// dscript: a REPL-driven scripting environment for diffusion models.
//
// Targets, from the bottom up (the list is the architecture):
//   CReadline, COpenBLAS, CPNG   system libraries from Debian's -dev packages
//   CKernels                     the innermost float loops in C, compiled per CPU level (AVX-512/AVX2/base)
//   DSLanguage                   lexer, parser, resolver, runtime, core built-ins; knows nothing of tensors
//   DSEngine                     tensors, autograd, layers, optimizers, file formats (BLAS underneath)
//   DSDiffusion                  schedules, DDPM/DDIM, losses, models built on DSEngine
//   DSBindings                   registers engine and diffusion built-ins into the language, by tables
//   DSShell                      command line, REPL, line editing
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

        .target(
            name: "DSLanguage",
            dependencies: [.product(name: "OrderedCollections", package: "swift-collections")]),
        .target(
            name: "CKernels",
            cSettings: [.unsafeFlags(["-O3", "-fno-builtin", "-fno-math-errno", "-mprefer-vector-width=512"])]),
        .target(
            name: "DSEngine",
            dependencies: ["COpenBLAS", "CPNG", "CKernels"]),
        .target(name: "DSDiffusion", dependencies: ["DSEngine"]),
        .target(name: "DSBindings", dependencies: ["DSLanguage", "DSEngine", "DSDiffusion"]),
        .target(
            name: "DSShell",
            dependencies: [
                "DSLanguage", "DSEngine", "DSBindings", "CReadline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .executableTarget(name: "dscript", dependencies: ["DSShell"]),

        .testTarget(name: "LanguageTests", dependencies: ["DSLanguage"]),
        .testTarget(name: "EngineTests", dependencies: ["DSEngine", "CKernels"]),
        .testTarget(name: "DiffusionTests", dependencies: ["DSDiffusion", "DSEngine"]),
        .testTarget(name: "ScriptTests", dependencies: ["DSShell", "DSBindings", "DSLanguage"]),
    ]
)
