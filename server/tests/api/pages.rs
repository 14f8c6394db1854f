use crate::db_test;
use crate::helpers::content_dir;

db_test!(the_home_page_renders_in_indonesian_with_every_module, |app| {
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<html lang="id""#), "{html}");
    assert!(html.contains("Diklat Pengurus dan Pengawas Koperasi Kelurahan Merah Putih"));
    let content = domain::content::Content::load(&content_dir()).unwrap();
    assert!(!content.modules.is_empty());
    for m in &content.modules {
        assert!(html.contains(&format!(r#"data-slug="{}""#, m.meta.slug)), "module {} missing", m.meta.slug);
    }
    // The language switch is an island: the only part that hydrates.
    assert!(html.contains("<leptos-island"), "no island in the page");
});

db_test!(the_language_cookie_switches_the_page_to_english, |app| {
    let r = app.client.get(app.url("/")).header("cookie", "lang=en").send().await.unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"<html lang="en""#));
    assert!(html.contains("Training for the Boards and Supervisors"));
});

db_test!(the_language_switch_sets_a_cookie_and_returns_to_the_same_page_only, |app| {
    let r = app.get("/bahasa/en?ke=%2Fwilayah%2F3573%23kec-3573030").await;
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/wilayah/3573#kec-3573030");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lang=en;") && cookie.contains("SameSite=Lax"), "{cookie}");
    let r = app.get("/bahasa/en?ke=%2F%2Fevil.example%2F").await;
    assert_eq!(r.headers()["location"], "/", "an off-site target must not be followed");
    assert_eq!(app.get("/bahasa/fr").await.status().as_u16(), 404);
});

db_test!(kota_malang_has_its_5_kecamatan_and_57_kelurahan_each_with_a_kkmp, |app| {
    let (status, html) = app.get_text("/wilayah/3573").await;
    assert_eq!(status, 200);
    assert!(html.contains("5 kecamatan, 57 kelurahan, 57 KKMP"), "{html}");
    assert_eq!(html.matches(r#"<tr class="village">"#).count(), 57);
    for name in ["Balearjosari", "Oro-oro Dowo", "Kedungkandang", "Tlogomas"] {
        assert!(html.contains(name), "{name} missing");
    }
    assert_eq!(domain::services::regions::village_count(app.state.db.read()).await.unwrap(), 57);
    let (_, list) = app.get_text("/wilayah").await;
    assert!(list.contains(r#"href="/wilayah/3573""#) && list.contains("Jawa Timur"));
});

db_test!(an_unknown_page_or_region_answers_404_with_a_sentence, |app| {
    let (status, html) = app.get_text("/tidak-ada").await;
    assert_eq!(status, 404);
    assert!(html.contains("Halaman tidak ditemukan"));
    let (status, html) = app.get_text("/wilayah/9999").await;
    assert_eq!(status, 404);
    assert!(html.contains("tidak ditemukan"), "{html}");
});

// A value typed into a form comes back as typed: a literal "%3C" in a search or a code is not
// decoded a second time into "<" (leptos_router's own query map does that; app/src/query.rs).
db_test!(a_query_value_is_decoded_once_so_what_was_typed_comes_back, |app| {
    let (status, page) = app.get_text("/masuk?ke=%2Fa%253Cb%253E%2B1").await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="ke" value="/a%3Cb%3E+1""#), "{}", &page[page.find(r#"name="ke""#).unwrap()..][..60]);
    let (_, page) = app.get_text("/aktivasi?kode=AB%2541").await;
    assert!(page.contains(r#"value="AB%41""#), "the activation code as typed");
});

db_test!(every_response_carries_the_security_headers, |app| {
    // Pages, a cached verification page, JSON, a static file, a 404 and a redirect after a post.
    let sign_in = app.sign_in(&app.browser(), "089999999999", "bukan-sandinya").await;
    let mut responses = vec![("POST /auth/masuk".to_string(), sign_in)];
    for path in ["/", "/modul", "/masuk", "/verifikasi/ABCD-EFGH-JKMN", "/healthz", "/pkg/diklat.css", "/tidak-ada"] {
        responses.push((path.to_string(), app.get(path).await));
    }
    for (what, r) in responses {
        let h = r.headers();
        assert_eq!(h.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
        assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
        assert_eq!(h.get("referrer-policy").map(|v| v.to_str().unwrap()), Some("same-origin"), "{what}");
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        for directive in ["frame-ancestors 'none'", "base-uri 'self'", "object-src 'none'", "form-action 'self'"] {
            assert!(csp.contains(directive), "{what}: `{directive}` missing from `{csp}`");
        }
        assert!(csp.contains("script-src 'nonce-") || csp.contains("script-src 'none'"), "{what}: scripts: `{csp}`");
    }
});

db_test!(a_page_runs_only_the_scripts_it_carries_a_fresh_nonce_for, |app| {
    let nonce_of = |r: &reqwest::Response| {
        let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
        let start = csp.find("'nonce-").expect("a nonce") + 7;
        csp[start..start + csp[start..].find('\'').unwrap()].to_string()
    };
    let (first, second) = (app.get("/modul").await, app.get("/modul").await);
    let (n1, n2) = (nonce_of(&first), nonce_of(&second));
    assert_ne!(n1, n2, "a new nonce for every page");
    assert!(n1.len() >= 16, "{n1}");
    let page = first.text().await.unwrap();
    let scripts = page.matches("<script").count();
    assert!(scripts >= 1, "the hydration scripts");
    assert_eq!(page.matches(&format!("nonce=\"{n1}\"")).count(), scripts, "every script carries the nonce: {page}");
    // A verification page is served from a cache after its first visit: the cached copy runs
    // no script rather than repeat a nonce every visitor has seen.
    let mut policies = Vec::new();
    for _ in 0..2 {
        let r = app.get("/verifikasi/ABCD-EFGH-JKMN").await;
        policies.push(r.headers()["content-security-policy"].to_str().unwrap().to_string());
    }
    assert!(policies[1].contains("script-src 'none'"), "the cached copy: {}", policies[1]);
    // JSON and files run nothing.
    let json = app.get("/healthz").await;
    assert!(json.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'none'"));
});

db_test!(pages_for_a_signed_in_person_are_not_stored_by_caches, |app| {
    app.seed_demo().await;
    let peserta = app.browser();
    app.sign_in(&peserta, "081234560001", "demo-peserta-kkmp").await;
    for path in ["/akun", "/jadwal", "/sertifikat", "/modul"] {
        let r = peserta.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
    }
    let visitor = app.get("/modul").await;
    assert_eq!(visitor.headers().get("cache-control"), None, "a visitor's page may be cached");
});

db_test!(files_and_pages_requested_together_keep_their_own_status_and_policy, |app| {
    // The browser fetches the page's script while other visitors open pages and missing
    // addresses. Each answer must be its own: the script 200 (not the 404 of a missing page
    // served beside it), each page with its own nonce policy.
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/diklat.js"), "export default function init() {}\n").unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg xmlns=\"http://www.w3.org/2000/svg\"/>").unwrap();
    let root = site.path().to_path_buf();
    let app = crate::helpers::TestApp::spawn_with(app.backend, move |c| c.site_root = root).await.unwrap();
    let paths: Vec<String> = (0..240)
        .map(|i| match i % 4 {
            0 | 2 => "/pkg/diklat.js".to_string(),
            1 => format!("/tidak-ada-{i}"),
            _ => "/masuk".to_string(),
        })
        .collect();
    let answers = futures_util::future::join_all(paths.iter().map(|path| {
        let (client, url) = (app.client.clone(), app.url(path));
        async move {
            let r = client.get(url).send().await.unwrap();
            let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
            (r.status().as_u16(), csp, r.text().await.unwrap())
        }
    }))
    .await;
    let mut wrong = Vec::new();
    for (path, (status, csp, body)) in paths.iter().zip(&answers) {
        let right = if path.starts_with("/pkg/") {
            *status == 200 && body.contains("export default function init") && csp.contains("script-src 'none'")
        } else {
            let expected = if path.starts_with("/tidak-ada") { 404 } else { 200 };
            let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).unwrap_or("-");
            *status == expected && body.contains(&format!("nonce=\"{nonce}\""))
        };
        if !right {
            wrong.push(format!("{path}: {status}, `{csp}`"));
        }
    }
    assert!(wrong.is_empty(), "{} of {} answers not their own:\n{}", wrong.len(), paths.len(), wrong.join("\n"));
    let favicon = app.get("/favicon.svg").await;
    assert_eq!(favicon.status(), 200);
    app.teardown().await;
});
