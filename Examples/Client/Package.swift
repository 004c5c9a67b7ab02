// swift-tools-version: 6.2
// A package that uses RecKit the way any other package does: by URL and version.
//
// `scripts/client-check.sh` (part of the test command) builds and runs it against a temporary git
// repository holding RecKit's current files, tagged with RecKit's version, whose path it passes in
// RECKIT_PACKAGE_URL. Without it, the RecKit repository this example sits in is used, which
// resolves once that repository has a version tag. In a package of your own, write RecKit's git URL.
import PackageDescription
import Foundation

let enclosingRecKit = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path
let recKit = ProcessInfo.processInfo.environment["RECKIT_PACKAGE_URL"] ?? enclosingRecKit

let package = Package(
    name: "Client",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: recKit, from: "0.2.0"),
    ],
    targets: [
        .executableTarget(name: "Client", dependencies: [.product(name: "RecKit", package: "RecKit")]),
    ]
)
