//! Oversized and excessive input — a 50 MB upload, a 1 MB name, a form over the 2 MB limit,
//! 10,000 answers — is refused with a message that says what is wrong, and nothing is stored.

use crate::db_test;
use crate::helpers::{flash_in, TestApp};
use domain::entities::{attempt, attempt_answer, person};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const PANITIA: (&str, &str) = ("panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp");
const PESERTA: (&str, &str) = ("081234560001", "demo-peserta-kkmp");
const MB: usize = 1024 * 1024;

async fn signed_in(app: &TestApp, (login, password): (&str, &str)) -> reqwest::Client {
    let c = app.browser();
    app.sign_in(&c, login, password).await;
    c
}

async fn people(app: &TestApp) -> u64 {
    person::Entity::find().count(app.state.db.read()).await.unwrap()
}

/// A panitia's session cookie, signed in without a cookie store.
async fn session_cookie(app: &TestApp) -> String {
    crate::helpers::session_cookie_of(&app.sign_in(&app.client, PANITIA.0, PANITIA.1).await)
}

/// Posts a multipart upload that declares `declared` bytes but sends only `first`; returns the
/// status and body of the answer.
fn declare_upload(app: &TestApp, path: &str, cookie: &str, first: &[u8], declared: usize) -> (u16, String) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(app.addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    write!(
        conn,
        "POST {path} HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n\
         Content-Length: {declared}\r\nConnection: close\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"berkas\"; \
         filename=\"peserta.csv\"\r\n\r\n",
        app.addr
    )
    .unwrap();
    let _ = conn.write_all(first);
    let mut answer = Vec::new();
    let _ = conn.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, answer)
}

fn person_form(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("nama", name.to_string()),
        ("nik", "3573055505900001".into()),
        ("no_hp", "0813 2222 0001".into()),
        ("email", String::new()),
        ("kelurahan", "Tlogomas".into()),
        ("kecamatan", String::new()),
        ("jabatan", "Bendahara".into()),
    ]
}

db_test!(a_50_mb_upload_is_refused_with_a_clear_message_and_nothing_is_imported, |app| {
    app.seed_demo().await;
    let staff = signed_in(&app, PANITIA).await;
    let before = people(&app).await;
    let mut csv = b"nama,nik,no_hp,email,kelurahan,kecamatan,jabatan\n".to_vec();
    while csv.len() < 50 * MB {
        csv.extend_from_slice(b"Budi Santoso,3573055505900001,081322220001,,Tlogomas,,Bendahara\n");
    }
    // Sent by hand: the server refuses from the Content-Length and closes, so a client still
    // writing 50 MB would see a broken pipe instead of the answer.
    let cookie = session_cookie(&app).await;
    for path in ["/unggah/peserta", "/bank-soal/impor"] {
        let (status, page) = declare_upload(&app, path, &cookie, &csv[..64 * 1024], 50 * MB);
        assert_eq!(status, 413, "{path}: {page}");
        assert!(page.contains("Data terlalu besar") && page.contains("paling besar 5 MB"), "{path}: {page}");
    }
    assert_eq!(people(&app).await, before, "nothing imported");

    // Just over the upload limit but under the request limit: the import page names the file's problem.
    let form = reqwest::multipart::Form::new()
        .part("berkas", reqwest::multipart::Part::bytes(csv[..5 * MB + 100 * 1024].to_vec()).file_name("peserta.csv"));
    let r = staff.post(app.url("/unggah/peserta")).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let page = staff.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Berkas terlalu besar (maksimal 5 MB)"), "{}", flash_in(&page));
    assert_eq!(people(&app).await, before);
});

db_test!(a_one_megabyte_name_is_refused_naming_the_field_and_a_form_over_2_mb_gets_a_page_saying_so, |app| {
    app.seed_demo().await;
    let staff = signed_in(&app, PANITIA).await;
    let before = people(&app).await;
    let r = staff.post(app.url("/peserta/tambah")).form(&person_form(&"A".repeat(MB))).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/peserta/baru");
    let page = staff.get(app.url("/peserta/baru")).send().await.unwrap().text().await.unwrap();
    assert!(flash_in(&page).starts_with("nama:"), "the message names the field: {}", flash_in(&page));
    assert!(page.len() < 200_000, "the megabyte is not echoed back into the page");

    let r = staff.post(app.url("/peserta/tambah")).form(&person_form(&"A".repeat(3 * MB))).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let page = r.text().await.unwrap();
    assert!(page.contains("isian formulir paling besar 2 MB"), "{page}");

    // A megabyte as the sign-in name: an ordinary refusal, not an error page.
    let visitor = app.browser();
    let r = app.sign_in(&visitor, &"8".repeat(MB), "apa saja").await;
    assert_eq!(r.status(), 303);
    assert_eq!(people(&app).await, before, "nobody added");
});

db_test!(ten_thousand_answers_are_refused_and_the_attempt_keeps_none_of_them, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let r = peserta
        .post(app.url("/kuis/mulai"))
        .form(&[("slug", "pengembangan-usaha"), ("fase", "awal")])
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = to.strip_prefix("/percobaan/").unwrap().parse().unwrap();
    let a = attempt::Entity::find_by_id(id).one(app.state.db.read()).await.unwrap().unwrap();
    let first = domain::services::quizzes::layout_of(&a)[0].q;

    // 10,000 answers to questions that are not in the attempt, then 10,000 choices for one that is.
    let mut others = vec![("percobaan".to_string(), id.to_string()), ("aksi".into(), "simpan".into())];
    others.extend((0..10_000).map(|i| (format!("q{}", 1_000_000 + i), "0".to_string())));
    let mut one = vec![("percobaan".to_string(), id.to_string()), ("aksi".into(), "simpan".into())];
    one.extend((0..10_000).map(|i| (format!("q{first}"), i.to_string())));
    for fields in [others, one] {
        let r = peserta.post(app.url("/kuis/jawab")).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let message = flash_in(&peserta.get(app.url(&to)).send().await.unwrap().text().await.unwrap());
        assert!(message.starts_with("Jawaban"), "a message about the answers: {message}");
        let stored = attempt_answer::Entity::find()
            .filter(attempt_answer::Column::AttemptId.eq(id))
            .count(app.state.db.read())
            .await
            .unwrap();
        assert_eq!(stored, 0, "no answer kept");
    }
});
