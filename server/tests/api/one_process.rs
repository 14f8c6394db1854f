//! Servers that share a process (as every test does under plain `cargo test`) do not disturb
//! each other's pages. Database-independent: it runs on SQLite only.

use crate::helpers::{Backend, TestApp};
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};
use std::time::Duration;

/// Leptos lists a server's routes by running the app with resource loading switched off for the
/// whole process (leptos-rs/leptos#4773): a page whose data another server started to load in
/// that window never got it and answered only at the 60 s handler timeout. Routes are now
/// listed once per process (startup.rs, `route_list`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_while_another_server_starts() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    for _ in 0..4 {
        let starting = Arc::new(AtomicBool::new(true));
        // Eight readers load the sign-in page (its flash is a resource) over and over while a
        // second server starts beside them.
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (client, url, starting) = (app.browser(), app.url("/masuk"), starting.clone());
                tokio::spawn(async move {
                    let mut pages = 0;
                    while starting.load(Ordering::SeqCst) || pages == 0 {
                        let page = tokio::time::timeout(Duration::from_secs(10), async {
                            client.get(&url).send().await?.text().await
                        })
                        .await;
                        let page = page.expect("the sign-in page answered within 10 s").unwrap();
                        assert!(page.contains(r#"action="/auth/masuk""#), "the page's form was rendered");
                        pages += 1;
                    }
                    pages
                })
            })
            .collect();
        let other = TestApp::spawn(Backend::Sqlite).await.unwrap();
        starting.store(false, Ordering::SeqCst);
        for reader in readers {
            assert!(reader.await.unwrap() > 0);
        }
        other.teardown().await;
    }
    app.teardown().await;
}
