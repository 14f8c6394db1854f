//! Whether the PostgreSQL variants of the integration tests can run: they are compiled as ignored
//! tests (shown as skipped, never as passed) unless `TEST_DATABASE_URL` is set when they are built.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    println!("cargo::rerun-if-env-changed=TEST_DATABASE_URL");
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.trim().is_empty()) {
        println!("cargo::rustc-cfg=postgres_tests");
    }
}
