// swift-tools-version:6.0
import PackageDescription

// Module layering follows ../shared/DESIGN.md: dependencies point downward only, and the
// domain modules (SIPCore, SIPTransaction, Directory, Registrar) import Foundation only.
let package = Package(
    name: "CarePhone",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "carephone", targets: ["carephone"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "SIPCore"),
        .target(name: "SIPTransaction", dependencies: ["SIPCore"]),
        .target(
            name: "SIPTransport",
            dependencies: [
                "SIPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(name: "Directory", dependencies: ["SIPCore"]),
        .target(name: "Registrar", dependencies: ["SIPCore", "Directory"]),
        .target(name: "Media"),
        .target(
            name: "MediaEngine",
            dependencies: [
                "Media", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(name: "Voicemail", dependencies: ["SIPCore", "Media"]),
        .target(name: "Dialplan"),
        .target(name: "Scheduling"),
        .target(name: "Messaging", dependencies: ["Scheduling"]),
        .target(name: "Calls", dependencies: ["SIPCore", "SIPTransaction", "Dialplan", "Directory", "Registrar"]),
        .target(
            name: "Storage", dependencies: ["CSQLite", "SIPCore", "Directory", "Registrar", "Calls", "Voicemail", "Scheduling", "Messaging"]
        ),
        .target(
            name: "HTTPAPI",
            dependencies: [
                "Directory", "Registrar", "Calls", "Voicemail", "Media", "Scheduling", "Messaging",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "CarePhoneServer",
            dependencies: [
                "SIPCore", "SIPTransaction", "SIPTransport", "Directory", "Registrar", "Dialplan", "Calls", "Storage", "HTTPAPI",
                "Media", "MediaEngine", "Voicemail", "Scheduling", "Messaging",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "carephone",
            dependencies: [
                "CarePhoneServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"], resources: [.copy("RFC4475")]),
        .testTarget(name: "SIPTransactionTests", dependencies: ["SIPTransaction"]),
        .testTarget(name: "DirectoryTests", dependencies: ["Directory"]),
        .testTarget(name: "RegistrarTests", dependencies: ["Registrar"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage", "Calls", "Voicemail"]),
        .testTarget(name: "DialplanTests", dependencies: ["Dialplan"]),
        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "MediaEngineTests", dependencies: ["MediaEngine", "Media"]),
        .testTarget(name: "VoicemailTests", dependencies: ["Voicemail", "Media"]),
        .testTarget(name: "SchedulingTests", dependencies: ["Scheduling"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MessagingTests", dependencies: ["Messaging"]),
        .testTarget(name: "CallsTests", dependencies: ["Calls"]),
        .testTarget(
            name: "CarePhoneServerTests",
            dependencies: [
                "CarePhoneServer", "Calls", "Voicemail", "Storage", "Scheduling", "Messaging", "Directory",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "InteropTests", dependencies: ["SIPCore", "Messaging", "Scheduling"]),
    ]
)
