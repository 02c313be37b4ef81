// swift-tools-version:5.9
// Build the native library first (see bindings/README.md), then `swift test`.
import PackageDescription

let package = Package(
    name: "Permiso",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [.library(name: "Permiso", targets: ["Permiso"])],
    targets: [
        .systemLibrary(name: "PermisoFFI", path: "Sources/PermisoFFI"),
        .target(
            name: "Permiso",
            dependencies: ["PermisoFFI"],
            path: "Sources/Permiso",
            linkerSettings: [.linkedLibrary("permiso_ffi"), .unsafeFlags(["-L../../target/release"])]
        ),
        .testTarget(name: "PermisoTests", dependencies: ["Permiso"], path: "Tests/PermisoTests"),
    ]
)
