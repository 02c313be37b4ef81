// A Kotlin/JVM (or Android) library around the generated binding. The native
// library (libpermiso_ffi.so / .dylib / .dll) comes from
// `cargo build --release -p permiso-ffi`; put it on `jna.library.path` (or in
// jniLibs on Android). The tests of this repository run with kotlinc directly
// (scripts/test-kotlin.sh), so this file is for users' builds.
plugins {
    kotlin("jvm") version "2.1.0"
}

group = "dev.permiso"
version = "0.1.0"

repositories { mavenCentral() }

dependencies {
    implementation("net.java.dev.jna:jna:5.13.0")
}

sourceSets {
    main { kotlin.srcDir("src") }
}
