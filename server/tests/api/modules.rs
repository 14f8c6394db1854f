//! Module pages, their files, and the sanitiser against a corpus of XSS payloads.

use crate::db_test;
use crate::helpers::{content_dir, Backend, TestApp};

db_test!(every_module_is_listed_and_renders_its_sections_with_anchors, |app| {
    let content = domain::content::Content::load(&content_dir()).unwrap();
    let (status, list) = app.get_text("/modul").await;
    assert_eq!(status, 200);
    for m in &content.modules {
        assert!(list.contains(&format!(r#"href="/modul/{}""#, m.meta.slug)));
        let (status, html) = app.get_text(&format!("/modul/{}", m.meta.slug)).await;
        assert_eq!(status, 200, "{}", m.meta.slug);
        for s in &m.sections {
            assert!(html.contains(&format!(r##"href="#{}""##, s.anchor)), "toc entry {}", s.anchor);
            assert!(html.contains(&format!(r#"id="{}""#, s.anchor)), "heading {}", s.anchor);
        }
        assert!(html.contains(&m.meta.objectives[0]), "objectives shown");
    }
    let (status, _) = app.get_text("/modul/tidak-ada").await;
    assert_eq!(status, 404);
});

/// A content folder with one module per XSS payload, each payload in several positions (own
/// paragraph, table cell, list item, callout, heading) — one module each, so a payload that
/// opens a raw HTML block cannot swallow the others.
fn hostile_content() -> (tempfile::TempDir, usize) {
    let dir = tempfile::tempdir().unwrap();
    let payloads: Vec<&str> =
        include_str!("../data/xss-payloads.txt").lines().filter(|l| !l.trim().is_empty()).collect();
    for (i, p) in payloads.iter().enumerate() {
        let module = dir.path().join(format!("modul/{:02}-uji{i}", i + 1));
        std::fs::create_dir_all(&module).unwrap();
        let body = format!(
            "+++\nslug = \"uji{i}\"\ntitle = \"Uji {i}\"\nsummary = \"S\"\norder = {}\njp = 1\naudience = \"keduanya\"\nobjectives = [\"O\"]\nversion = \"1\"\nlast_reviewed = 2025-10-01\n+++\n## Muatan\n\n{p}\n\n| a | b |\n|---|---|\n| {p} | x |\n\n- {p}\n\n> [!CATATAN]\n> {p}\n\n### {p}\n\nAkhir.\n",
            i + 1
        );
        std::fs::write(module.join("index.md"), body).unwrap();
    }
    (dir, payloads.len())
}

#[tokio::test]
async fn no_xss_payload_survives_in_a_rendered_module() {
    let (content, count) = hostile_content();
    assert!(count >= 50, "the corpus has at least 50 payloads");
    let path = content.path().to_path_buf();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.content_dir = path).await.unwrap();
    for i in 0..count {
        let (status, html) = app.get_text(&format!("/modul/uji{i}")).await;
        assert_eq!(status, 200);
        let start = html.find(r#"<article class="module">"#).expect("the module article");
        let end = html[start..].find("</article>").map(|e| start + e).unwrap();
        let article = html[start..end].to_lowercase();
        // Text is escaped (`&lt;…`), so only real tags start with `<`: inspect each one.
        for tag in article.split('<').skip(1) {
            let inside = tag.split('>').next().unwrap_or("");
            let name =
                inside.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
            assert!(
                ![
                    "script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form",
                    "button", "video", "audio", "template", "noscript", "marquee", "isindex", "body", "textarea",
                    "select"
                ]
                .contains(&name),
                "payload {i}: <{name}> survived"
            );
            for bad in ["javascript:", "vbscript:", "data:", "expression(", " style=", "srcdoc"] {
                assert!(!inside.contains(bad), "payload {i}: `{bad}` survived in <{inside}>");
            }
            assert!(
                !inside.split_whitespace().skip(1).any(|attr| attr.starts_with("on")),
                "payload {i}: an event handler survived in <{inside}>"
            );
        }
    }
    app.teardown().await;
}

#[tokio::test]
async fn images_beside_a_module_are_served_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("modul/01-uji");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(module.join("gerai.png"), b"\x89PNG\r\n\x1a\nfake").unwrap();
    std::fs::write(module.join("gambar.svg"), b"<svg onload=alert(1)/>").unwrap();
    std::fs::write(dir.path().join("rahasia.png"), b"secret").unwrap();
    std::fs::write(
        module.join("index.md"),
        "+++\nslug = \"uji\"\ntitle = \"Uji\"\nsummary = \"S\"\norder = 1\njp = 1\naudience = \"keduanya\"\nobjectives = [\"O\"]\nversion = \"1\"\nlast_reviewed = 2025-10-01\n+++\n## A\n\n![Gerai sembako KKMP](gerai.png)\n",
    )
    .unwrap();
    let path = dir.path().to_path_buf();
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.content_dir = path).await.unwrap();
    let (_, html) = app.get_text("/modul/uji").await;
    assert!(html.contains(r#"src="/modul/uji/gerai.png" alt="Gerai sembako KKMP""#), "{html}");
    let r = app.get("/modul/uji/gerai.png").await;
    assert_eq!((r.status().as_u16(), r.headers()["content-type"].to_str().unwrap()), (200, "image/png"));
    assert_eq!(app.get("/modul/uji/gambar.svg").await.status().as_u16(), 404, "no SVG");
    assert_eq!(app.get("/modul/uji/..%2Frahasia.png").await.status().as_u16(), 404, "no way out of the folder");
    app.teardown().await;
}
