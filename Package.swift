// swift-tools-version:6.0
import PackageDescription

// Layers (DESIGN.md): pavlov (CLI, REPL) -> PavlovStdlib (bindings) -> PavlovLang (language).
// PavlovLang knows no ML; builtins reach it only through its registration API.
let package = Package(
  name: "Pavlov",
  products: [
    .executable(name: "pavlov", targets: ["pavlov"]),
    .library(name: "PavlovLang", targets: ["PavlovLang"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),  // 1.6: @ParentCommand
  ],
  targets: [
    // GNU readline (Debian libreadline-dev), for the REPL.
    .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
    // Async-signal-safe SIGINT flag and large-stack thread start: things Swift cannot express safely.
    .target(name: "CPavlovSupport", path: "Sources/CPavlovSupport"),
    .target(
      name: "PavlovLang",
      dependencies: ["CPavlovSupport"],
      path: "Sources/PavlovLang",
      // The evaluator's state lives in class properties touched on every step; Swift's dynamic
      // exclusivity checks cost ~40% of a call (measured with callgrind on fib). The evaluator
      // never holds overlapping accesses, so the runtime check buys nothing here.
      // Its reference counting is not atomic: a Pavlov value belongs to the interpreter's thread
      // (no other thread ever holds one; see docs/architecture.md), and the locked increments
      // were a quarter of the time of method calls on records of closures.
      swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked", "-assume-single-threaded"])]
    ),
    // The float kernels in C — matrix products (sgemm), exp, tanh, sigmoid, GELU, layer norm, Adam —
    // built for every instruction-set path (AVX-512, AVX2, baseline) and chosen at load time, which
    // Swift's SIMD types cannot do. Every path gives the same bits (docs/architecture.md).
    // -fno-math-errno: sqrt may not set errno, so clang can use the vector square-root instruction;
    // -ffp-contract=off: no a·b + c fused behind our back (a path with FMA would round differently).
    .target(name: "CPavlovKernels", path: "Sources/CPavlovKernels",
            cSettings: [.unsafeFlags(["-fno-math-errno", "-ffp-contract=off"])]),
    // The foundation under every core: the seeded generator, portable float64 math, fingerprints of
    // exact bits. Plain Swift, no dependencies, so environments need no tensor library.
    .target(name: "PavlovCore", path: "Sources/PavlovCore"),
    // The numeric core: tensors, autograd, layers, optimizers. Usable from Swift without the language.
    .target(
      name: "PavlovTensor",
      dependencies: ["PavlovCore", "CPavlovKernels"],
      path: "Sources/PavlovTensor"
    ),
    // Box2D (Debian's libbox2d-dev, C++) behind a small C interface, for the Box2D environments.
    .target(name: "CBox2D", path: "Sources/CBox2D", linkerSettings: [.linkedLibrary("box2d")]),
    // HDF5 (Debian's libhdf5-dev, serial) behind a small C interface, for Minari's dataset files;
    // opened with dlopen on first use, so it and its dependencies stay out of startup.
    .target(name: "CHDF5", path: "Sources/CHDF5",
            cSettings: [.unsafeFlags(["-I/usr/include/hdf5/serial"])]),
    // Environments with Gymnasium's contract, wrappers and vector envs. Usable without the language.
    .target(
      name: "PavlovGym",
      dependencies: ["PavlovCore", "CBox2D"],
      path: "Sources/PavlovGym"
    ),
    // Bandit strategies, tabular learners, dynamic programming and deep RL trainers on PavlovGym's envs. Usable without the language.
    .target(
      name: "PavlovRL",
      dependencies: ["PavlovCore", "PavlovGym", "PavlovTensor", "CHDF5"],
      path: "Sources/PavlovRL"
    ),
    // Language models and RLHF: tokenizers, the review corpus and its gold labeler, preference
    // data, generation, pretraining/SFT, reward models, PPO with a KL penalty, DPO and the rest.
    .target(
      name: "PavlovLM",
      dependencies: ["PavlovCore", "PavlovTensor", "PavlovRL"],
      path: "Sources/PavlovLM"
    ),
    // Hyperparameter sweeps: search spaces, searchers and trial schedulers (ASHA, PBT) with Ray Tune's
    // rules, the sweep's virtual clock, and the driver that runs trials as local processes or Ray
    // tasks, so a sweep decides the same on one machine and on a Ray cluster. Usable without the language.
    .target(
      name: "PavlovTune",
      dependencies: ["PavlovCore"],
      path: "Sources/PavlovTune"
    ),
    .target(
      name: "PavlovStdlib",
      dependencies: ["PavlovLang", "PavlovCore", "PavlovTensor", "PavlovGym", "PavlovRL", "PavlovLM", "PavlovTune", "CPavlovSupport"],
      path: "Sources/PavlovStdlib"
    ),
    // The REPL's core (input assembly, commands, completion) apart from the terminal, so tests drive it.
    .target(
      name: "PavlovREPL",
      dependencies: ["PavlovLang", "PavlovStdlib", "CReadline", "CPavlovSupport"],
      path: "Sources/PavlovREPL"
    ),
    .executableTarget(
      name: "pavlov",
      dependencies: [
        "PavlovCore", "PavlovLang", "PavlovStdlib", "PavlovREPL", "PavlovRL", "CPavlovSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      path: "Sources/pavlov",
      // The Swift runtime linked in: finding and relocating a dozen shared libraries took a third
      // of startup (issue 16: `pavlov -e` under 10 ms), and an installed pavlov then runs without
      // the toolchain. FoundationEssentials (ArgumentParser's) needs its two C shim libraries named.
      linkerSettings: [.unsafeFlags(["-static-stdlib", "-l_FoundationCShims", "-l_FoundationCollections", "-Xlinker", "--no-export-dynamic"])]
    ),
    // Coverage-guided fuzzing of every file reader: scripts/fuzz.sh builds it with
    // `--sanitize fuzzer` (libFuzzer, from the toolchain); a plain build makes an inert binary.
    .executableTarget(name: "PavlovFuzz", dependencies: ["PavlovLang", "PavlovStdlib"], path: "Sources/PavlovFuzz"),
    // Native environment throughput, beside the Python peers in Benchmarks/envs.
    .executableTarget(
      name: "pavlov-env-bench",
      dependencies: ["PavlovCore", "PavlovGym", "PavlovTensor"],
      path: "Benchmarks/envs/NativeBench"
    ),
    // Domain assertions shared by the test targets: assertProgram, assertError, ...
    .target(
      name: "PavlovTestSupport",
      dependencies: ["PavlovLang", "PavlovStdlib"],
      path: "Tests/PavlovTestSupport"
    ),
    .testTarget(
      name: "PavlovCoreTests",
      dependencies: ["PavlovCore"],
      path: "Tests/PavlovCoreTests"
    ),
    .testTarget(
      name: "PavlovTuneTests",
      dependencies: ["PavlovTune", "PavlovCore"],
      path: "Tests/PavlovTuneTests"
    ),
    .testTarget(
      name: "PavlovTensorTests",
      dependencies: ["PavlovTensor"],
      path: "Tests/PavlovTensorTests"
    ),
    .testTarget(
      name: "PavlovGymTests",
      dependencies: ["PavlovCore", "PavlovGym", "PavlovTensor"],
      path: "Tests/PavlovGymTests"
    ),
    .testTarget(
      name: "PavlovRLTests",
      dependencies: ["PavlovRL", "PavlovGym", "PavlovTensor"],
      path: "Tests/PavlovRLTests"
    ),
    .testTarget(
      name: "PavlovLMTests",
      dependencies: ["PavlovLM", "PavlovRL", "PavlovTensor"],
      path: "Tests/PavlovLMTests"
    ),
    .testTarget(
      name: "PavlovLangTests",
      dependencies: ["PavlovLang", "PavlovStdlib", "PavlovTensor", "PavlovGym", "PavlovREPL", "PavlovTestSupport"],
      path: "Tests/PavlovLangTests"
    ),
  ],
  swiftLanguageModes: [.v5]
)
