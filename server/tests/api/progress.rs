//! Reading progress over HTTP: marking sections, the bar and the resume link, completion,
//! permissions, and progress kept across a new version of a module.

use crate::db_test;
use crate::helpers::{content_dir, editable_content, Backend, TestApp};
use domain::{
    demo::LOGINS,
    entities::{module_progress, section_progress},
};
use sea_orm::{EntityTrait, PaginatorTrait};

const PESERTA: &domain::demo::DemoLogin = &LOGINS[3];

/// The first module of the repository's content and its section anchors.
fn first_module() -> (String, Vec<String>) {
    let content = domain::content::Content::load(&content_dir()).unwrap();
    let m = &content.modules[0];
    (m.meta.slug.clone(), m.rendered.sections.iter().map(|s| s.anchor.clone()).collect())
}

/// (value, max) of the first `<progress>` after `from` in `html`.
fn bar_after(html: &str, from: &str) -> (usize, usize) {
    let start = html.find(from).unwrap_or_else(|| panic!("{from} not in page: {}", &html[..html.len().min(3000)]));
    let tag_start = start + html[start..].find("<progress").expect("a progress bar");
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>').unwrap()];
    let attr = |name: &str| -> usize {
        let at = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{name} in {tag}")) + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    (attr("value"), attr("max"))
}

/// The `href` of the resume link on a module page.
fn resume_href(html: &str) -> String {
    let at = html.find(r#"id="resume-link""#).expect("a resume link");
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    let h = tag.find("href=\"").unwrap() + 6;
    tag[h..h + tag[h..].find('"').unwrap()].to_string()
}

async fn signed_in_reader(app: &TestApp) -> reqwest::Client {
    app.seed_demo().await;
    let reader = app.browser();
    app.sign_in(&reader, PESERTA.login, PESERTA.password).await;
    reader
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

async fn mark(app: &TestApp, client: &reqwest::Client, slug: &str, anchor: &str) -> reqwest::Response {
    client.post(app.url("/progres/tandai")).form(&[("slug", slug), ("bagian", anchor)]).send().await.unwrap()
}

/// The same form, posted as the page's island does: in the background, asking for data.
async fn mark_for_data(app: &TestApp, client: &reqwest::Client, slug: &str, anchor: &str) -> reqwest::Response {
    let form = client.post(app.url("/progres/tandai")).header("accept", "application/json");
    form.form(&[("slug", slug), ("bagian", anchor)]).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

db_test!(a_reader_marks_sections_and_the_bar_and_resume_link_follow, |app| {
    let reader = signed_in_reader(&app).await;
    let (slug, anchors) = first_module();
    let path = format!("/modul/{slug}");
    let n = anchors.len();

    let html = page(&app, &reader, &path).await;
    assert_eq!(bar_after(&html, r#"<progress id="module-progress""#), (0, n));
    assert_eq!(resume_href(&html), format!("#{}", anchors[0]));
    assert_eq!(html.matches(r#"action="/progres/tandai""#).count(), n, "one mark-as-read form per section");

    let r = mark(&app, &reader, &slug, &anchors[0]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("{path}#{}", anchors[1]), "goes on to the next unread section");

    let html = page(&app, &reader, &path).await;
    assert_eq!(bar_after(&html, r#"<progress id="module-progress""#), (1, n));
    assert_eq!(resume_href(&html), format!("#{}", anchors[1]));
    assert!(html.contains(&format!(r#"data-toc="{}" class="read""#, anchors[0])), "the contents tick the section");

    // Marking twice keeps one record.
    mark(&app, &reader, &slug, &anchors[0]).await;
    assert_eq!(section_progress::Entity::find().count(app.state.db.read()).await.unwrap(), 1);

    // Reading out of order: the resume point follows the last section read, wrapping to the first unread.
    mark(&app, &reader, &slug, &anchors[n - 1]).await;
    let html = page(&app, &reader, &path).await;
    assert_eq!(bar_after(&html, r#"<progress id="module-progress""#), (2, n));
    assert_eq!(resume_href(&html), format!("#{}", anchors[1]));

    // The module list shows the same bar and a link that resumes.
    let list = page(&app, &reader, "/modul").await;
    assert_eq!(bar_after(&list, &format!(r#"data-slug="{slug}""#)), (2, n));
    assert!(list.contains(&format!(r##"href="{path}#{}""##, anchors[1])));
});

db_test!(reading_every_section_finishes_the_module_once, |app| {
    let reader = signed_in_reader(&app).await;
    let (slug, anchors) = first_module();
    for a in &anchors {
        assert_eq!(mark(&app, &reader, &slug, a).await.status(), 303);
    }
    let last = mark(&app, &reader, &slug, anchors.last().unwrap()).await;
    assert_eq!(location(&last), format!("/modul/{slug}#{}", anchors.last().unwrap()), "stays put when all is read");
    let rows = module_progress::Entity::find().all(app.state.db.read()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let finished = rows[0].completed_at.expect("completion stamped");
    let html = page(&app, &reader, &format!("/modul/{slug}")).await;
    assert!(html.contains("Modul selesai dibaca"));
    assert_eq!(bar_after(&html, r#"<progress id="module-progress""#), (anchors.len(), anchors.len()));
    // Marking again does not move the completion time.
    mark(&app, &reader, &slug, &anchors[0]).await;
    let again = module_progress::Entity::find().one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!(again.completed_at, Some(finished));
});

db_test!(marking_needs_a_signed_in_reader_and_a_real_section, |app| {
    app.seed_demo().await;
    let (slug, anchors) = first_module();
    let anonymous = app.browser();

    let html = page(&app, &anonymous, &format!("/modul/{slug}")).await;
    assert!(!html.contains(r#"action="/progres/tandai""#), "no forms for a visitor");
    assert!(html.contains("Masuk untuk mencatat"));
    let r = mark(&app, &anonymous, &slug, &anchors[0]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(location(&r), format!("/masuk?ke=/modul/{slug}"));
    // The page's island, posting the same form for data, is told to sign in by a status.
    let r = mark_for_data(&app, &anonymous, &slug, &anchors[0]).await;
    assert_eq!(r.status(), 401);
    let refusal: serde_json::Value = r.json().await.unwrap();
    assert_eq!(refusal["en"], "please sign in first");

    let reader = app.browser();
    app.sign_in(&reader, PESERTA.login, PESERTA.password).await;
    let r = mark(&app, &reader, &slug, "bagian-yang-tidak-ada").await;
    assert_eq!(location(&r), format!("/modul/{slug}"));
    let html = page(&app, &reader, &format!("/modul/{slug}")).await;
    assert!(html.contains("Bagian modul ini tidak ditemukan"), "the error is shown");
    assert_eq!(mark(&app, &reader, "modul-tidak-ada", &anchors[0]).await.status(), 404);
    assert_eq!(section_progress::Entity::find().count(app.state.db.read()).await.unwrap(), 0, "nothing written");
});

db_test!(the_hydrated_button_posts_the_same_form_for_data_and_gets_the_progress, |app| {
    let reader = signed_in_reader(&app).await;
    let (slug, anchors) = first_module();
    let r = mark_for_data(&app, &reader, &slug, &anchors[1]).await;
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["read"], 1);
    assert_eq!(body["total"], anchors.len());
    assert_eq!(body["resume"][0], anchors[2].as_str());
    let html = page(&app, &reader, &format!("/modul/{slug}")).await;
    assert_eq!(bar_after(&html, r#"<progress id="module-progress""#), (1, anchors.len()));
    // A section the module does not have: the refusal as data, in both languages; nothing written.
    let r = mark_for_data(&app, &reader, &slug, "bagian-yang-tidak-ada").await;
    assert_eq!(r.status(), 422);
    let refusal: serde_json::Value = r.json().await.unwrap();
    assert!(refusal["id"].as_str().unwrap().contains("Bagian modul ini tidak ditemukan"), "{refusal}");
    assert!(!refusal["en"].as_str().unwrap().is_empty());
    assert_eq!(mark_for_data(&app, &reader, "modul-tidak-ada", &anchors[0]).await.status(), 404);
    assert_eq!(section_progress::Entity::find().count(app.state.db.read()).await.unwrap(), 1);
});

async fn progress_survives_a_new_version(backend: Backend) {
    let content = editable_content();
    let dir = content.path().to_path_buf();
    let Some(app) = TestApp::spawn_with(backend, |c| c.content_dir = dir).await else { return };
    let reader = signed_in_reader(&app).await;
    let loaded = domain::content::Content::load(content.path()).unwrap();
    let m = &loaded.modules[0];
    let (slug, sections) = (m.meta.slug.clone(), m.rendered.sections.clone());
    for s in &sections[..3] {
        mark(&app, &reader, &slug, &s.anchor).await;
    }

    // Version 2: the second section's heading is reworded (a new anchor), a new section is added.
    let text = std::fs::read_to_string(&m.path).unwrap();
    let renamed = format!("## {} (direvisi)", sections[1].title);
    let edited = text.replacen(&format!("version = \"{}\"", m.meta.version), "version = \"uji-2\"", 1).replacen(
        &format!("## {}\n", sections[1].title),
        &format!("{renamed}\n"),
        1,
    ) + "\n## Bagian baru\n\nTeks bagian baru.\n";
    assert_ne!(edited, text);
    std::fs::write(&m.path, edited).unwrap();
    // The bank's questions from that section follow its new anchor, as an author would update them.
    let bank = m.path.with_file_name("soal.toml");
    let new_anchor = domain::render::anchor_for(&renamed[3..], &mut Default::default());
    let tags = std::fs::read_to_string(&bank)
        .unwrap()
        .replace(&format!("bagian = \"{}\"", sections[1].anchor), &format!("bagian = \"{new_anchor}\""));
    std::fs::write(&bank, tags).unwrap();
    let addr = app.restarted().await;

    let html = reader.get(format!("http://{addr}/modul/{slug}")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Bagian baru"), "the new version is served");
    let total = sections.len() + 1;
    assert_eq!(bar_after(&html, r#"<progress id="module-progress""#), (2, total), "kept sections keep their state");
    assert!(html.contains(&format!(r#"data-toc="{}" class="read""#, sections[0].anchor)));
    assert!(html.contains(&format!(r#"data-toc="{}" class="read""#, sections[2].anchor)));
    assert!(!html.contains(&format!(r#"data-toc="{}""#, sections[1].anchor)), "the old heading is gone");
    app.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_survives_a_new_version_of_the_module_on_sqlite() {
    progress_survives_a_new_version(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL when building the tests")]
async fn progress_survives_a_new_version_of_the_module_on_postgres() {
    progress_survives_a_new_version(Backend::Postgres).await;
}

db_test!(a_visitor_reading_pages_leaves_no_session_behind, |app| {
    let (slug, _) = first_module();
    let visitor = app.browser();
    for path in ["/", "/masuk", "/modul", &format!("/modul/{slug}"), "/akun"] {
        visitor.get(app.url(path)).send().await.unwrap();
    }
    let sessions = domain::entities::auth_session::Entity::find().count(app.state.db.read()).await.unwrap();
    assert_eq!(sessions, 0, "no session row is written for someone who has not signed in");
});
