//! GET never changes anything (Moodle customcert #878 issued certificates on a GET; attendance
//! #918 changed a status on one): every link each role can reach is followed, and after each
//! request every table of the database is compared with before. Only the session's own
//! bookkeeping (`auth_sessions`: when it was last used, one-shot messages) may change.

use crate::db_test;
use crate::helpers::TestApp;
use domain::demo::LOGINS;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Tables a GET may touch: a session records when it was last used (for the idle timeout), and
/// the request limits count verifications per address (`auth::throttle::hit`).
const BOOKKEEPING: &[&str] = &["auth_sessions", "login_throttles"];

/// Rows a GET may add: downloading personal data (`people.export`, `report.export`) is recorded
/// in the audit log, by design.
const AUDITED_READS: &str = "audit_log WHERE action NOT LIKE '%.export'";

/// Every table's rows, as one text per table (PostgreSQL: an MD5 of the sorted rows).
async fn fingerprint(db: &DatabaseConnection) -> BTreeMap<String, String> {
    let backend = db.get_database_backend();
    let list = match backend {
        DbBackend::Postgres => "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'",
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let mut out = BTreeMap::new();
    for row in db.query_all_raw(Statement::from_string(backend, list)).await.unwrap() {
        let table: String = row.try_get("", "name").unwrap();
        if BOOKKEEPING.contains(&table.as_str()) {
            continue;
        }
        let rows = if table == "audit_log" {
            AUDITED_READS.replace("audit_log", "audit_log t")
        } else {
            format!("\"{table}\" t")
        };
        let sql = match backend {
            DbBackend::Postgres => {
                format!("SELECT COUNT(*) || ':' || md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM {rows}")
            }
            _ => {
                let columns: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("SELECT name FROM pragma_table_info('{table}')"),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| format!("quote(\"{}\")", r.try_get::<String>("", "name").unwrap()))
                    .collect();
                format!(
                    "SELECT COUNT(*) || ':' || COALESCE(group_concat(x, '|'), '') AS h FROM (SELECT {} AS x FROM {rows} ORDER BY 1)",
                    columns.join(" || ',' || ")
                )
            }
        };
        let h = db.query_one_raw(Statement::from_string(backend, sql)).await.unwrap().unwrap();
        out.insert(table, h.try_get::<String>("", "h").unwrap());
    }
    out
}

/// Same-site links (`href="/…"`) of a page, without fragments.
fn links(page: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or_default().replace("&amp;", "&"))
        .filter(|h| !h.starts_with("/pkg/"))
        .collect()
}

/// The same page for another id is the same code: `/peserta/12` and `/peserta/13` are one kind.
fn kind_of(url: &str) -> String {
    let mut out = String::new();
    let mut digits = false;
    for c in url.chars() {
        if c.is_ascii_digit() {
            if !digits {
                out.push('N');
            }
            digits = true;
        } else {
            out.push(c);
            digits = false;
        }
    }
    out
}

/// Follows every link from `start` (two pages of each kind, at most `limit` pages) and compares
/// the database every `BATCH` pages (a full comparison takes tens of milliseconds), naming the
/// pages of a batch that changed it; returns how many pages were read.
async fn crawl(app: &TestApp, client: &reqwest::Client, who: &str, start: &[&str], limit: usize) -> usize {
    const BATCH: usize = 15;
    let db = app.state.db.write();
    let mut queue: VecDeque<String> = start.iter().map(|s| s.to_string()).collect();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    let (mut read, mut batch) = (0, Vec::new());
    let before = fingerprint(db).await;
    loop {
        let next = queue.pop_front();
        if let Some(url) = &next {
            if read >= limit || !seen.insert(url.clone()) {
                continue;
            }
            let kind = kinds.entry(kind_of(url)).or_default();
            if *kind >= 2 {
                continue;
            }
            *kind += 1;
            let r = client.get(app.url(url)).send().await.unwrap();
            read += 1;
            batch.push(url.clone());
            assert!(r.status().as_u16() < 500, "{who}: GET {url} answered {}", r.status());
            let html = r
                .headers()
                .get("content-type")
                .is_some_and(|t| t.to_str().unwrap_or_default().starts_with("text/html"));
            let body = r.text().await.unwrap_or_default();
            if html {
                queue.extend(links(&body));
            }
        }
        if batch.len() == BATCH || (next.is_none() && !batch.is_empty()) {
            let after = fingerprint(db).await;
            let changed: Vec<&String> = after.keys().filter(|t| before.get(*t) != after.get(*t)).collect();
            assert!(changed.is_empty(), "{who}: one of GET {batch:?} changed the tables {changed:?}");
            batch.clear();
        }
        if next.is_none() {
            return read;
        }
    }
}

db_test!(no_get_request_changes_anything_whoever_sends_it, |app| {
    app.seed_demo_with_certificates().await;
    let modules = app.state.quiz_modules();
    // The standings the seed made stale are recomputed now, not by the background loop mid-crawl.
    domain::services::report::refresh_stale(app.state.db.read(), app.state.db.write(), &modules, None).await.unwrap();
    let starts = [
        "/",
        "/akun",
        "/modul",
        "/jadwal",
        "/presensi",
        "/sertifikat",
        "/peserta",
        "/diklat",
        "/laporan",
        "/capaian",
        "/verifikasi",
        "/wilayah",
        "/audit",
        "/admin/peran",
        "/peserta/impor",
        "/peserta/kode",
        "/bahasa/en",
        "/bahasa/id",
    ];
    let visitor = app.browser();
    let mut pages = crawl(&app, &visitor, "a visitor", &starts, 150).await;
    for who in LOGINS {
        let client = app.browser();
        app.sign_in(&client, who.login, who.password).await;
        pages += crawl(&app, &client, who.role.code(), &starts, 150).await;
    }
    assert!(pages > 100, "the crawl reached the pages: {pages}");
});

db_test!(a_server_function_called_with_unreadable_arguments_answers_400_not_500, |app| {
    app.seed_demo().await;
    for (path, body) in [
        ("/api/sertifikat-verifikasi", "tidak=ada"),
        ("/api/peserta-detail", "id=bukan-angka"),
        ("/api/sertifikat-verifikasi", "%ZZ"),
    ] {
        let r = app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{path} {body}");
    }
});

db_test!(a_cached_verification_page_is_sent_with_one_content_type, |app| {
    app.seed_demo().await;
    let code = domain::certcode::generate();
    for _ in 0..2 {
        // The second answer comes from the page cache.
        let r = app
            .client
            .get(app.url(&format!("/verifikasi/{code}")))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        let types: Vec<_> = r.headers().get_all("content-type").iter().collect();
        assert_eq!(types.len(), 1, "{types:?}");
        assert!(types[0].to_str().unwrap().starts_with("text/html"));
    }
});
