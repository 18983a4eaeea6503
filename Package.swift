// swift-tools-version:6.1
import PackageDescription

/// chainbot: a declarative config-sync and reconciliation agent for an ALEX OS Raspberry Pi.
///
/// No package dependencies: the toolchain's own modules plus the system libraries libyaml and
/// libsqlite3 through `.systemLibrary` targets.
let package = Package(
    name: "chainbot",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chainbot", targets: ["chainbot"])
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libm: Double.rounded() and friends call into it, and nothing else links it without Foundation.
        .target(name: "ChainbotCore", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "ChainbotYAML", dependencies: ["CYAML"]),
        .target(name: "ChainbotOS", dependencies: ["ChainbotCore"]),
        .target(name: "ChainbotManifest", dependencies: ["ChainbotCore", "ChainbotYAML"]),
        .target(name: "ChainbotStore", dependencies: ["ChainbotCore", "CSQLite"]),
        .target(name: "ChainbotDelivery", dependencies: ["ChainbotCore", "ChainbotHTTP"]),
        .target(
            name: "ChainbotProviders",
            dependencies: ["ChainbotCore", "ChainbotDelivery", "ChainbotHTTP", "ChainbotYAML"]
        ),
        .target(name: "ChainbotEngine", dependencies: ["ChainbotCore"]),
        .target(
            name: "ChainbotCLI",
            dependencies: [
                "ChainbotCore", "ChainbotDelivery", "ChainbotManifest", "ChainbotStore", "ChainbotOS",
                "ChainbotProviders", "ChainbotEngine", "ChainbotYAML", "ChainbotHTTP",
            ]
        ),
        .executableTarget(name: "chainbot", dependencies: ["ChainbotCLI", "ChainbotOS"]),
        .target(name: "ChainbotHTTP", dependencies: ["ChainbotCore", "ChainbotOS"]),
        .target(name: "ChainbotAlexOSSimulator", dependencies: ["ChainbotCore", "ChainbotHTTP"]),
        .executableTarget(name: "chainbot-alexos-sim", dependencies: ["ChainbotAlexOSSimulator", "ChainbotHTTP"]),
        .executableTarget(
            name: "chainbot-bench",
            dependencies: [
                "ChainbotCore", "ChainbotDelivery", "ChainbotManifest", "ChainbotYAML", "ChainbotStore",
                "ChainbotProviders", "ChainbotHTTP",
                "ChainbotAlexOSSimulator",
            ],
            path: "Sources/ChainbotBench"
        ),
        // Test support: the testbed, fixtures, fakes and polling for every suite (Core and OS only, so a
        // suite links only what it tests); the ALEX OS world (a simulator, a state file and the engine
        // wired as `apply` wires them) for the provider and CLI suites that talk to a registry.
        .target(name: "ChainbotTestSupport", dependencies: ["ChainbotCore", "ChainbotOS"]),
        .target(
            name: "ChainbotAlexOSTestSupport",
            dependencies: [
                "ChainbotAlexOSSimulator", "ChainbotCore", "ChainbotDelivery", "ChainbotEngine", "ChainbotHTTP",
                "ChainbotOS",
                "ChainbotProviders", "ChainbotStore", "ChainbotTestSupport",
            ]
        ),
        .testTarget(name: "ChainbotCoreTests", dependencies: ["ChainbotCore", "ChainbotTestSupport"]),
        .testTarget(name: "ChainbotYAMLTests", dependencies: ["ChainbotCore", "ChainbotYAML"]),
        .testTarget(name: "ChainbotOSTests", dependencies: ["ChainbotCore", "ChainbotOS", "ChainbotTestSupport"]),
        .testTarget(
            name: "ChainbotManifestTests",
            dependencies: ["ChainbotCore", "ChainbotManifest", "ChainbotYAML", "ChainbotOS", "ChainbotTestSupport"]
        ),
        .testTarget(
            name: "ChainbotStoreTests",
            dependencies: ["ChainbotCore", "ChainbotOS", "ChainbotStore", "ChainbotTestSupport"]
        ),
        .testTarget(
            name: "ChainbotProvidersTests",
            dependencies: [
                "ChainbotCore", "ChainbotProviders", "ChainbotOS", "ChainbotHTTP", "ChainbotEngine", "ChainbotStore",
                "ChainbotAlexOSSimulator", "ChainbotTestSupport", "ChainbotAlexOSTestSupport",
            ]
        ),
        .testTarget(
            name: "ChainbotDeliveryTests",
            dependencies: [
                "ChainbotCore", "ChainbotDelivery", "ChainbotHTTP", "ChainbotStore", "ChainbotAlexOSSimulator",
                "ChainbotAlexOSTestSupport",
            ]
        ),
        .testTarget(
            name: "ChainbotEngineTests",
            dependencies: ["ChainbotCore", "ChainbotEngine", "ChainbotStore", "ChainbotTestSupport"]
        ),
        .testTarget(
            name: "ChainbotHTTPTests",
            dependencies: ["ChainbotHTTP", "ChainbotCore", "ChainbotOS", "ChainbotTestSupport"]
        ),
        .testTarget(
            name: "ChainbotAlexOSSimulatorTests",
            dependencies: ["ChainbotAlexOSSimulator", "ChainbotHTTP", "ChainbotCore"]
        ),
        .testTarget(
            name: "ChainbotCLITests",
            dependencies: [
                "ChainbotCLI", "ChainbotCore", "ChainbotDelivery", "ChainbotEngine", "ChainbotHTTP", "ChainbotOS",
                "ChainbotProviders",
                "ChainbotStore", "ChainbotAlexOSSimulator", "ChainbotTestSupport", "ChainbotAlexOSTestSupport",
            ]
        ),
    ]
)
