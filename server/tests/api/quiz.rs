//! Pre-tests and post-tests over HTTP on both databases: answers hidden until submission, exact
//! grading, idempotent submit, attempt limit, server-side time limit, resume, other people's
//! attempts, learning gain.

use crate::db_test;
use crate::helpers::{content_dir, flash_in, TestApp};
use domain::{
    demo::LOGINS,
    entities::{attempt, question, quiz},
    quiz::Key,
    services::quizzes::{layout_of, Slot},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

const PESERTA: &domain::demo::DemoLogin = &LOGINS[3];
const PANITIA: &domain::demo::DemoLogin = &LOGINS[1];
const SLUG: &str = "pengembangan-usaha";

async fn signed_in(app: &TestApp, who: &domain::demo::DemoLogin) -> reqwest::Client {
    let c = app.browser();
    app.sign_in(&c, who.login, who.password).await;
    c
}

async fn start(app: &TestApp, c: &reqwest::Client, phase: &str) -> reqwest::Response {
    c.post(app.url("/kuis/mulai")).form(&[("slug", SLUG), ("fase", phase)]).send().await.unwrap()
}

async fn started(app: &TestApp, c: &reqwest::Client, phase: &str) -> attempt::Model {
    let r = start(app, c, phase).await;
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = to.strip_prefix("/percobaan/").expect("to the attempt").parse().unwrap();
    attempt::Entity::find_by_id(id).one(app.state.db.read()).await.unwrap().unwrap()
}

/// Form fields answering the slots: correctly for the first `right` of them, not at all after.
async fn answers(app: &TestApp, a: &attempt::Model, right: usize) -> Vec<(String, String)> {
    let mut fields = vec![("percobaan".to_string(), a.id.to_string())];
    for (i, Slot { q, .. }) in layout_of(a).into_iter().enumerate() {
        fields.push(("d".into(), q.to_string()));
        if i >= right {
            continue;
        }
        let stored = question::Entity::find_by_id(q).one(app.state.db.read()).await.unwrap().unwrap();
        let data: serde_json::Value = serde_json::from_str(&stored.data).unwrap();
        let key: Key = serde_json::from_value(data["key"].clone()).unwrap();
        let name = format!("q{q}");
        match key {
            Key::Choices(options) => {
                for (k, o) in options.iter().enumerate().filter(|(_, o)| o.correct) {
                    let _ = o;
                    fields.push((name.clone(), k.to_string()));
                }
            }
            Key::TrueFalse(b) => fields.push((name, if b { "benar" } else { "salah" }.into())),
            Key::Short(accepted) => fields.push((name, accepted[0].to_uppercase())),
            // With a decimal comma, as Indonesians write it (a point before three digits is
            // ambiguous and asked again).
            Key::Numeric { value, .. } => fields.push((name, format!("{value}").replace('.', ","))),
        }
    }
    fields
}

async fn post_answers(app: &TestApp, c: &reqwest::Client, mut fields: Vec<(String, String)>, submit: bool) -> String {
    fields.push(("aksi".into(), if submit { "kumpulkan" } else { "simpan" }.into()));
    if submit {
        fields.push(("yakin".into(), "ya".into()));
    }
    let r = c.post(app.url("/kuis/jawab")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    flash_in(&c.get(app.url(&to)).send().await.unwrap().text().await.unwrap())
}

async fn reload(app: &TestApp, a: &attempt::Model) -> attempt::Model {
    attempt::Entity::find_by_id(a.id).one(app.state.db.read()).await.unwrap().unwrap()
}

db_test!(answers_stay_on_the_server_until_submission_and_grading_is_exact, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "awal").await;
    assert_eq!(layout_of(&a).len(), 10, "ten questions drawn");
    let content = domain::content::Content::load(&content_dir()).unwrap();
    let bank = content.module(SLUG).unwrap().bank.as_ref().unwrap();
    let page = peserta.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap().text().await.unwrap();
    for q in &bank.questions {
        let explanation = q.explanation_html.trim();
        assert!(!page.contains(explanation), "no explanation before submission ({})", q.id);
    }
    assert!(!page.contains("benar\":") && !page.contains("\"correct\""), "no key in the page");
    assert!(!page.contains(r#"data-testid="review""#));

    // Five right, five unanswered: 50.
    let saved = post_answers(&app, &peserta, answers(&app, &a, 5).await, false).await;
    assert_eq!(saved, "Jawaban tersimpan.");
    let done = post_answers(&app, &peserta, answers(&app, &a, 5).await, true).await;
    assert_eq!(done, "Terkumpul. Nilai Anda 50,0.");
    let a = reload(&app, &a).await;
    // A pre-test has a score, never a pass or a fail, and never shows its key.
    assert_eq!((a.status.code(), a.score, a.passed), ("submitted", Some(50.0), None));
    let page = peserta.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches(r#"data-testid="review""#).count(), 0, "no review of a pre-test");

    // A second submit changes nothing.
    let first_time = a.submitted_at;
    post_answers(&app, &peserta, answers(&app, &a, 10).await, true).await;
    let again = reload(&app, &a).await;
    assert_eq!((again.score, again.submitted_at), (Some(50.0), first_time));
    assert_eq!(attempt::Entity::find().count(app.state.db.read()).await.unwrap(), 1);
});

db_test!(a_quiz_set_to_hide_its_review_shows_the_score_but_no_answers_or_explanations, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let settings = |review: bool| {
        let mut form = vec![
            ("slug", SLUG),
            ("fase", "akhir"),
            ("jumlah", "10"),
            ("lulus", "70"),
            ("kesempatan", "3"),
            ("waktu", ""),
            ("metode", "highest"),
        ];
        if review {
            form.push(("pembahasan", "on"));
        }
        form
    };
    let r = admin.post(app.url("/kuis/pengaturan")).form(&settings(false)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let peserta = signed_in(&app, PESERTA).await;
    let overview = peserta.get(app.url(&format!("/kuis/{SLUG}/akhir"))).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("Pembahasan soal tidak ditampilkan"), "the rules say so before the attempt");
    let a = started(&app, &peserta, "akhir").await;
    assert_eq!(post_answers(&app, &peserta, answers(&app, &a, 8).await, true).await, "Terkumpul. Nilai Anda 80,0.");
    let attempt_page =
        || async { peserta.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap().text().await.unwrap() };
    let page = attempt_page().await.replace("<!>", "");
    assert!(page.contains("Nilai: 80,0") && page.contains("LULUS"), "score and pass/fail are shown");
    assert!(!page.contains("BELUM LULUS"));
    assert!(!page.contains(r#"data-testid="review""#), "no per-question review");
    assert!(!page.contains("option correct") && !page.contains("option wrong"), "no option marked right or wrong");
    let content = domain::content::Content::load(&content_dir()).unwrap();
    for q in &content.module(SLUG).unwrap().bank.as_ref().unwrap().questions {
        assert!(!page.contains(q.explanation_html.trim()), "no explanation ({})", q.id);
    }
    // Turned back on, the same attempt shows its review.
    admin.post(app.url("/kuis/pengaturan")).form(&settings(true)).send().await.unwrap();
    assert_eq!(attempt_page().await.matches(r#"data-testid="review""#).count(), 10);
});

db_test!(a_full_marks_post_test_shows_the_learning_gain, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let pre = started(&app, &peserta, "awal").await;
    post_answers(&app, &peserta, answers(&app, &pre, 4).await, true).await;
    let post = started(&app, &peserta, "akhir").await;
    assert_eq!(
        post_answers(&app, &peserta, answers(&app, &post, 10).await, true).await,
        "Terkumpul. Nilai Anda 100,0."
    );
    let overview = peserta.get(app.url(&format!("/kuis/{SLUG}/akhir"))).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("Peningkatan belajar: +60,0 poin"), "post 100 − pre 40");
});

db_test!(attempts_are_limited_and_an_open_one_is_resumed_with_its_answers, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "akhir").await;
    post_answers(&app, &peserta, answers(&app, &a, 3).await, false).await;
    // The connection drops; starting again reopens the same attempt, answers kept.
    let again = started(&app, &peserta, "akhir").await;
    assert_eq!(again.id, a.id);
    let page = peserta.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap().text().await.unwrap();
    for slot in layout_of(&a).into_iter().take(3) {
        let at = page.find(&format!(r#"data-question="{}""#, slot.q)).expect("the question is on the page");
        let fieldset = &page[at..at + page[at..].find("</fieldset>").unwrap()];
        let typed = fieldset.contains(&format!(r#"name="q{}" value="#, slot.q)) && !fieldset.contains(r#"value="" "#);
        assert!(fieldset.contains("checked") || typed, "saved answer shown for question {}", slot.q);
    }
    let saved = domain::entities::attempt_answer::Entity::find().count(app.state.db.read()).await.unwrap();
    assert!(saved >= 3, "the three answers (and unticked several-correct questions) are stored");
    post_answers(&app, &peserta, answers(&app, &a, 3).await, true).await;
    for _ in 0..2 {
        let next = started(&app, &peserta, "akhir").await;
        post_answers(&app, &peserta, answers(&app, &next, 1).await, true).await;
    }
    let r = start(&app, &peserta, "akhir").await;
    assert_eq!(r.headers()["location"], format!("/kuis/{SLUG}/akhir"));
    let overview = peserta.get(app.url(&format!("/kuis/{SLUG}/akhir"))).send().await.unwrap().text().await.unwrap();
    assert!(overview.contains("Kesempatan mengerjakan sudah habis"));
    assert_eq!(attempt::Entity::find().count(app.state.db.read()).await.unwrap(), 3);
});

/// The module's pre-test with a one-second time limit.
async fn one_second_pre_test(app: &TestApp) {
    let module_id = app.state.module_ids[SLUG];
    let q = quiz::Entity::find()
        .filter(quiz::Column::ModuleId.eq(module_id))
        .filter(quiz::Column::Kind.eq(types::Phase::Pre))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let mut row = q.into_active_model();
    row.time_limit_seconds = Set(Some(1));
    row.update(app.state.db.write()).await.unwrap();
}

db_test!(the_time_limit_is_kept_by_the_server_clock, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    one_second_pre_test(&app).await;
    let a = started(&app, &peserta, "awal").await;
    post_answers(&app, &peserta, answers(&app, &a, 2).await, false).await;
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    // Late answers are not saved; the attempt closes with what it had.
    let late = post_answers(&app, &peserta, answers(&app, &a, 10).await, true).await;
    assert!(late.starts_with("Waktu habis"), "{late}");
    let a = reload(&app, &a).await;
    assert_eq!((a.status.code(), a.score), ("expired", Some(20.0)));
});

db_test!(after_the_deadline_no_form_saves_answers_autosave_or_a_post_without_its_action, |app| {
    // CVE-2025-62401: Moodle's time limit could be bypassed by leaving a parameter out.
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    one_second_pre_test(&app).await;
    let a = started(&app, &peserta, "awal").await;
    post_answers(&app, &peserta, answers(&app, &a, 1).await, false).await;
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    // The page's autosave (aksi=simpan) and a hand-made post with no `aksi` at all.
    let autosave = post_answers(&app, &peserta, answers(&app, &a, 10).await, false).await;
    assert!(autosave.starts_with("Waktu habis") || autosave.contains("jawaban tidak diubah"), "{autosave}");
    let bare = peserta.post(app.url("/kuis/jawab")).form(&answers(&app, &a, 10).await).send().await.unwrap();
    assert_eq!(bare.status(), 303);
    // The autosave island, posting the same form for data, is refused with the reason.
    let island = post_for_data(&app, &peserta, answers(&app, &a, 10).await).await;
    assert!(island.status().is_client_error(), "{}", island.status());
    let refusal: serde_json::Value = island.json().await.unwrap();
    let said = refusal["id"].as_str().unwrap();
    assert!(said.starts_with("Waktu habis") || said.contains("jawaban tidak diubah"), "{refusal}");
    let a = reload(&app, &a).await;
    assert_eq!((a.status.code(), a.score), ("expired", Some(10.0)), "only the answer saved in time counts");
});

/// The answer form posted as the attempt page's autosave island does: in the background, for data.
async fn post_for_data(app: &TestApp, c: &reqwest::Client, fields: Vec<(String, String)>) -> reqwest::Response {
    c.post(app.url("/kuis/jawab")).header("accept", "application/json").form(&fields).send().await.unwrap()
}

db_test!(the_autosave_island_posts_the_answer_form_for_data_and_it_only_saves, |app| {
    use domain::entities::attempt_answer;
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "awal").await;
    // Even with the submit button's fields, a post for data saves and submits nothing.
    let mut fields = answers(&app, &a, 10).await;
    fields.push(("aksi".into(), "kumpulkan".into()));
    fields.push(("yakin".into(), "ya".into()));
    let r = post_for_data(&app, &peserta, fields.clone()).await;
    assert_eq!(r.status(), 200);
    let saved: serde_json::Value = r.json().await.unwrap();
    let at = saved["at"].as_str().unwrap();
    assert!(at.len() == 8 && at.chars().all(|c| c.is_ascii_digit() || c == ':'), "a WIB time: {at}");
    assert_eq!(reload(&app, &a).await.status.code(), "in_progress", "not submitted");
    let stored = attempt_answer::Entity::find()
        .filter(attempt_answer::Column::AttemptId.eq(a.id))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(stored, 10, "every answer saved");
    // Someone else's attempt, nobody signed in, no attempt named: refusals as data.
    let other = signed_in(&app, PANITIA).await;
    assert_eq!(post_for_data(&app, &other, fields.clone()).await.status(), 404);
    let anonymous = app.browser();
    let r = post_for_data(&app, &anonymous, fields).await;
    assert_eq!(r.status(), 401);
    let refusal: serde_json::Value = r.json().await.unwrap();
    assert_eq!(refusal["id"], "silakan masuk terlebih dahulu");
    let r = post_for_data(&app, &peserta, vec![("aksi".into(), "simpan".into())]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(reload(&app, &a).await.status.code(), "in_progress");
});

db_test!(nobody_reads_or_answers_someone_elses_attempt, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "awal").await;
    let other = signed_in(&app, PANITIA).await;
    let r = other.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let mut fields = answers(&app, &a, 10).await;
    fields.push(("aksi".into(), "kumpulkan".into()));
    fields.push(("yakin".into(), "ya".into()));
    let r = other.post(app.url("/kuis/jawab")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(reload(&app, &a).await.status.code(), "in_progress");
    let anonymous = app.browser();
    let r = anonymous.post(app.url("/kuis/mulai")).form(&[("slug", SLUG), ("fase", "awal")]).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk"));
});

db_test!(panitia_see_results_gain_and_item_analysis_and_export_them, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let pre = started(&app, &peserta, "awal").await;
    post_answers(&app, &peserta, answers(&app, &pre, 4).await, true).await;
    let post = started(&app, &peserta, "akhir").await;
    post_answers(&app, &peserta, answers(&app, &post, 10).await, true).await;

    // The tests were taken for the angkatan running now.
    let d = app.diklat(domain::demo::CURRENT_CODE).await;
    let panitia = signed_in(&app, PANITIA).await;
    let page = panitia.get(app.url(&format!("/diklat/{}/kuis?modul={SLUG}", d.id))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("Rata-rata tes awal 40,0") && page.contains("Rata-rata tes akhir 100,0"), "averages");
    assert!(page.contains("+60,0"), "the participant's gain");
    // Item analysis: each post-test question was drawn once and answered right.
    let items = &page[page.find("Analisis butir: tes akhir").unwrap()..page.find("Analisis butir: tes awal").unwrap()];
    assert_eq!(items.matches(">100%<").count(), 10, "facility of the ten drawn questions");

    let csv = panitia.get(app.url(&format!("/unduh/kuis/hasil-{}-{SLUG}.csv", d.id))).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.unwrap();
    assert!(body.starts_with("\u{feff}Nama,KKMP,Kelurahan,Tes awal,Tes akhir,Peningkatan,Lulus tes akhir"));
    assert!(body.lines().any(|l| l.ends_with(",40.0,100.0,60.0,ya")), "the participant's line");
    assert_eq!(body.lines().count(), 1 + 114);

    // Per kelurahan: on the page and as CSV and XLSX.
    let villages =
        &page[page.find(r#"data-testid="villages""#).unwrap()..page.find(r#"data-testid="results""#).unwrap()];
    assert!(villages.replace("<!>", "").contains("+60,0"), "the participant's kelurahan shows the gain");
    let csv = panitia.get(app.url(&format!("/unduh/kuis/kelurahan-{}-{SLUG}.csv", d.id))).send().await.unwrap();
    let body = csv.text().await.unwrap();
    assert!(body.starts_with("\u{feff}Kelurahan,Peserta,Ikut tes awal,Ikut tes akhir,"));
    assert!(body.lines().any(|l| l.ends_with(",1,1,40.0,100.0,60.0,1")), "{body}");
    let people: usize = body.lines().skip(1).map(|l| l.split(',').nth(1).unwrap().parse::<usize>().unwrap()).sum();
    assert_eq!(people, 114, "every enrolled participant counted once");
    for kind in ["hasil", "kelurahan"] {
        let xlsx = panitia.get(app.url(&format!("/unduh/kuis/{kind}-{}-{SLUG}.xlsx", d.id))).send().await.unwrap();
        assert_eq!(xlsx.status(), 200);
        let bytes = xlsx.bytes().await.unwrap();
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let sheet = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&sheet).unwrap();
        let rows = if kind == "hasil" { 1 + 114 } else { 1 + body.lines().count() - 1 };
        let heading = domain::services::export::HEADING_ROWS as usize;
        assert_eq!(range.height(), heading + rows, "{kind}.xlsx has its heading, a header and one row each");
        let title = range.get((0, 0)).unwrap().to_string();
        assert!(title.starts_with("Hasil tes") && title.contains("Pengembangan"), "{title}");
        let scope = range.get((1, 0)).unwrap().to_string();
        assert!(scope.contains("Kota Malang") && scope.contains(&d.name), "names the region and diklat: {scope}");
    }

    let r = peserta.get(app.url(&format!("/diklat/{}/kuis", d.id))).send().await.unwrap();
    assert_eq!(r.status(), 403, "a peserta does not see others' results");
    let r = peserta.get(app.url(&format!("/unduh/kuis/hasil-{}-{SLUG}.csv", d.id))).send().await.unwrap();
    assert_eq!(r.status(), 403);
});

db_test!(only_admins_and_national_panitia_change_quiz_settings_and_bad_values_are_refused, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, &LOGINS[0]).await;
    let panitia = signed_in(&app, PANITIA).await;
    let form = |count: &'static str| {
        vec![
            ("slug", SLUG),
            ("fase", "akhir"),
            ("jumlah", count),
            ("lulus", "80"),
            ("kesempatan", "2"),
            ("waktu", "15"),
            ("metode", "last"),
            ("acak_opsi", "on"),
        ]
    };
    let r = panitia.post(app.url("/kuis/pengaturan")).form(&form("5")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = admin.post(app.url("/kuis/pengaturan")).form(&form("99")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let page = admin.get(app.url(&format!("/kuis/{SLUG}/akhir"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("Jumlah soal: isi angka 1–{}.", file_bank_size())), "the bank's size bounds it");
    admin.post(app.url("/kuis/pengaturan")).form(&form("5")).send().await.unwrap();
    let module_id = app.state.module_ids[SLUG];
    let q = quiz::Entity::find()
        .filter(quiz::Column::ModuleId.eq(module_id))
        .filter(quiz::Column::Kind.eq(types::Phase::Post))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            q.question_count,
            q.pass_mark,
            q.max_attempts,
            q.time_limit_seconds,
            q.grading_method.as_str(),
            q.shuffle_questions,
            q.shuffle_options
        ),
        (5, 80, 2, Some(900), "last", false, true)
    );
    // The next attempt follows them: five questions, a deadline 15 minutes after the server's start time.
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "akhir").await;
    assert_eq!(layout_of(&a).len(), 5);
    assert_eq!(a.deadline_at, Some(a.started_at + chrono::Duration::minutes(15)));
});

const ADMIN: &domain::demo::DemoLogin = &LOGINS[0];

/// Three questions Moodle would accept, none with a problem.
const CLEAN_GIFT: &str = "// Bank tambahan\n::Kas kecil:: Kas kecil dipegang oleh { =bendahara #Benar. ~ketua ~pengawas }\n\n::Rapat:: RAT diadakan setahun sekali. {T}\n\n::Bunga:: Berapa persen bunga KUR setahun? {#6:0}\n";

/// Moodle's documented examples: two of eight cannot be imported (matching, essay).
const MOODLE_GIFT: &str = "::Q1:: 1+1=2 {T}\n\n::Q2:: What's between orange and green in the spectrum?\n{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow }\n\n::Q3:: Two plus {=two =2} equals four.\n\n::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }\n\n::Q5:: What is a number from 1 to 5? {#3:2}\n\n::Q6:: What is a number from 1 to 5? {#1..5}\n\n::Q7:: When was Ulysses S. Grant born? {#\n         =1822:0      # Correct! Full credit.\n         =%50%1822:2  # He was born in 1822. Half credit for being close.\n}\n\n::Q8:: How are you? {}\n";

async fn upload_gift(app: &TestApp, c: &reqwest::Client, text: &str) -> reqwest::Response {
    upload_gift_tagged(app, c, text, Some(("1", "pendahuluan"))).await
}

/// A GIFT upload with the objective and section the upload page asks for (or none).
async fn upload_gift_tagged(
    app: &TestApp,
    c: &reqwest::Client,
    text: &str,
    tags: Option<(&str, &str)>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("modul", SLUG);
    if let Some((objective, section)) = tags {
        form = form.text("tujuan", objective.to_string()).text("bagian", section.to_string());
    }
    let form =
        form.part("berkas", reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("soal-moodle.gift"));
    c.post(app.url("/bank-soal/impor")).multipart(form).send().await.unwrap()
}

/// How many questions the module's `soal.toml` holds (the bank before any upload).
fn file_bank_size() -> usize {
    let content = domain::content::Content::load(&content_dir()).unwrap();
    content.module(SLUG).unwrap().bank.as_ref().unwrap().questions.len()
}

async fn bank_size(app: &TestApp) -> usize {
    let (_, module_id) = app.state.module(SLUG).unwrap();
    domain::services::quizzes::current_bank(app.state.db.read(), module_id).await.unwrap().questions.len()
}

db_test!(a_clean_gift_upload_joins_the_bank_at_once_and_survives_a_restart, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let base = file_bank_size();
    assert_eq!(bank_size(&app).await, base);
    let r = upload_gift(&app, &admin, CLEAN_GIFT).await;
    assert_eq!(r.status(), 303);
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(flash_in(&page), "3 soal dari soal-moodle.gift diimpor ke bank soal.");
    let counted = format!("{} soal (3 dari impor GIFT)", base + 3);
    assert!(page.replace("<!>", "").contains(&counted), "the bank page counts them");
    assert_eq!(bank_size(&app).await, base + 3);
    let audited = domain::entities::audit_log::Entity::find()
        .filter(domain::entities::audit_log::Column::Action.eq("quiz.import_gift"))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // After a restart the bank still holds them, and an attempt can draw every one of them.
    let addr = app.restarted().await;
    let (_, module_id) = app.state.module(SLUG).unwrap();
    let bank = domain::services::quizzes::current_bank(app.state.db.read(), module_id).await.unwrap();
    assert_eq!(bank.questions.len(), base + 3, "restarted server at {addr} keeps the imported questions");
    let imported = question::Entity::find()
        .filter(question::Column::ExtId.starts_with("impor-"))
        .order_by_asc(question::Column::SortOrder)
        .all(app.state.db.read())
        .await
        .unwrap();
    assert!(imported.iter().all(|q| bank.questions.contains(&q.id)));
    assert_eq!(
        imported.iter().map(|q| q.ext_id.as_str()).collect::<Vec<_>>(),
        ["impor-kas-kecil", "impor-rapat", "impor-bunga"]
    );
});

db_test!(uploading_the_same_gift_file_twice_adds_its_questions_once, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let base = file_bank_size();
    upload_gift(&app, &admin, CLEAN_GIFT).await;
    assert_eq!(bank_size(&app).await, base + 3);
    let r = upload_gift(&app, &admin, CLEAN_GIFT).await;
    assert_eq!(r.status(), 303);
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.replace("<!>", "").contains("sudah ada"), "the repeats are named");
    assert_eq!(bank_size(&app).await, base + 3, "nothing added twice");
});

db_test!(a_gift_upload_with_problems_waits_until_the_panitia_confirms_skipping_them, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let r = upload_gift(&app, &admin, MOODLE_GIFT).await;
    assert_eq!(r.headers()["location"], format!("/bank-soal/{SLUG}#konfirmasi"));
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    let page = page.replace("<!>", "");
    assert!(page.contains(r#"data-testid="gift-pending""#), "the problems are shown for review");
    assert!(page.contains("soal \"Q4\": soal menjodohkan (-&gt;) tidak didukung; dilewati"), "{page}");
    assert!(page.contains("soal \"Q8\": soal esai"));
    // Q6 is Q5 written another way (the same text and number): it is left out as a repeat.
    assert!(page.contains("soal ini sama dengan soal"), "{page}");
    assert!(page.contains("Impor 5 soal"));
    let base = file_bank_size();
    assert_eq!(bank_size(&app).await, base, "nothing is imported before the confirmation");

    // Confirming without ticking the box changes nothing; cancelling drops the upload.
    let confirm = |fields: Vec<(&'static str, &'static str)>| {
        let admin = admin.clone();
        let url = app.url("/bank-soal/konfirmasi");
        async move { admin.post(url).form(&fields).send().await.unwrap() }
    };
    confirm(vec![("modul", SLUG), ("aksi", "impor")]).await;
    assert_eq!(bank_size(&app).await, base);
    confirm(vec![("modul", SLUG), ("aksi", "batal")]).await;
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert!(flash_in(&page).contains("dibatalkan"));
    assert!(!page.contains(r#"data-testid="gift-pending""#));
    assert_eq!(bank_size(&app).await, base);

    upload_gift(&app, &admin, MOODLE_GIFT).await;
    confirm(vec![("modul", SLUG), ("aksi", "impor"), ("yakin", "on")]).await;
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(flash_in(&page), "5 soal dari soal-moodle.gift diimpor ke bank soal; 3 dilewati.");
    assert_eq!(bank_size(&app).await, base + 5);
});

db_test!(only_national_panitia_and_admins_change_the_shared_bank, |app| {
    app.seed_demo().await;
    for who in [PANITIA, PESERTA] {
        let c = signed_in(&app, who).await;
        let r = upload_gift(&app, &c, CLEAN_GIFT).await;
        assert_eq!(r.status(), 403, "{} may not import", who.role);
    }
    let visitor = app.browser();
    let r = upload_gift(&app, &visitor, CLEAN_GIFT).await;
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk"));
    assert_eq!(bank_size(&app).await, file_bank_size());
    // A Kota Malang panitia sees the bank but not the upload form.
    let panitia = signed_in(&app, PANITIA).await;
    let page = panitia.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.replace("<!>", "").contains(&format!("{} soal", file_bank_size())));
    assert!(!page.contains("/bank-soal/impor"));
});

/// Runs `body` against a server over an editable copy of the content, on one database.
async fn with_content_settings(backend: crate::helpers::Backend) {
    let content = crate::helpers::editable_content();
    let bank_path = content.path().join("modul/01-pengembangan-usaha/soal.toml");
    let text = std::fs::read_to_string(&bank_path).unwrap();
    let start = text.find("[tes_akhir]").unwrap();
    let end = start + text[start..].find("\n\n").unwrap();
    let edited = format!(
        "{}[tes_akhir]\njumlah_soal = 5\nnilai_lulus = 80\nkesempatan = 2\nbatas_waktu_menit = 15\nnilai_dihitung = \"terakhir\"\ntampilkan_pembahasan = false{}",
        &text[..start],
        &text[end..]
    );
    std::fs::write(&bank_path, edited).unwrap();
    let dir = content.path().to_path_buf();
    let Some(app) = TestApp::spawn_with(backend, |c| c.content_dir = dir).await else { return };
    app.seed_demo().await;
    let module_id = app.state.module_ids[SLUG];
    let post = |app: &TestApp| {
        let db = app.state.db.read().clone();
        async move {
            domain::services::quizzes::quiz_of(&db, module_id, domain::services::quizzes::Phase::Post).await.unwrap()
        }
    };
    let q = post(&app).await;
    assert_eq!(
        (q.question_count, q.pass_mark, q.max_attempts, q.time_limit_seconds, q.grading_method.as_str(), q.show_review),
        (5, 80, 2, Some(900), "last", false),
        "the content's [tes_akhir] is applied"
    );

    // An admin imports questions and changes the settings on the page; then the content changes.
    let admin = signed_in(&app, ADMIN).await;
    upload_gift(&app, &admin, CLEAN_GIFT).await;
    let r = admin
        .post(app.url("/kuis/pengaturan"))
        .form(&[
            ("slug", SLUG),
            ("fase", "akhir"),
            ("jumlah", "12"),
            ("lulus", "75"),
            ("kesempatan", "3"),
            ("waktu", ""),
            ("metode", "highest"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let text = std::fs::read_to_string(&bank_path).unwrap();
    std::fs::write(&bank_path, text.replace("jumlah_soal = 5", "jumlah_soal = 6") + "\n# versi baru\n").unwrap();
    app.restarted().await;
    let q = post(&app).await;
    assert_eq!((q.question_count, q.pass_mark), (12, 75), "settings changed on the page win over the content");
    let bank = domain::services::quizzes::current_bank(app.state.db.read(), module_id).await.unwrap();
    assert_eq!(bank.questions.len(), file_bank_size() + 3, "the new bank version keeps the 3 imported questions");
    let banks = domain::entities::question_bank::Entity::find()
        .filter(domain::entities::question_bank::Column::ModuleId.eq(module_id))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(banks, 2, "the changed file is a new bank version");
    app.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_gives_quiz_settings_until_changed_on_the_page_on_sqlite() {
    with_content_settings(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL when building the tests")]
async fn content_gives_quiz_settings_until_changed_on_the_page_on_postgres() {
    with_content_settings(crate::helpers::Backend::Postgres).await;
}

db_test!(page_buttons_save_the_page_and_move_on, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "awal").await;
    let page = peserta.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches(r#"class="question""#).count(), 5, "five questions a page");
    // The first page answered (the layout's first five questions), as the page's form sends it.
    let later: Vec<String> = layout_of(&a)[5..].iter().map(|s| s.q.to_string()).collect();
    let mut fields = answers(&app, &a, 5).await;
    fields.retain(|(n, v)| !(n == "d" && later.contains(v)));
    fields.push(("hal".into(), "1".into()));
    fields.push(("aksi".into(), "hal-2".into()));
    let r = peserta.post(app.url("/kuis/jawab")).form(&fields).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/percobaan/{}?hal=2", a.id));
    let saved = domain::entities::attempt_answer::Entity::find()
        .filter(domain::entities::attempt_answer::Column::AttemptId.eq(a.id))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(saved, 5, "the first page's answers are saved");
    let page2 = peserta.get(app.url(&format!("/percobaan/{}?hal=2", a.id))).send().await.unwrap().text().await.unwrap();
    assert!(page2.replace("<!>", "").contains("Halaman 2 dari 2 · terjawab 5 dari 10"));
    assert_eq!(flash_in(&page2), "", "moving between pages is quiet");
});

db_test!(autosaves_racing_a_submit_never_change_the_answers_that_were_graded, |app| {
    use domain::entities::attempt_answer;
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    for round in 0..3 {
        let a = started(&app, &peserta, if round == 0 { "awal" } else { "akhir" }).await;
        let right = answers(&app, &a, 10).await;
        let wrong = answers(&app, &a, 0).await;
        // Every question answered wrongly: a choice that is not the key, a word, a number.
        let mut saves = Vec::new();
        for _ in 0..30 {
            let mut fields: Vec<(String, String)> = wrong.clone();
            for (_, q) in wrong.iter().filter(|(k, _)| k == "d") {
                fields.push((format!("q{q}"), "0".into()));
            }
            fields.push(("aksi".into(), "simpan".into()));
            let (c, url) = (peserta.clone(), app.url("/kuis/jawab"));
            saves.push(tokio::spawn(async move { c.post(url).form(&fields).send().await.unwrap().status() }));
        }
        let mut submit = right.clone();
        submit.push(("aksi".into(), "kumpulkan".into()));
        submit.push(("yakin".into(), "ya".into()));
        let submitted = peserta.post(app.url("/kuis/jawab")).form(&submit).send().await.unwrap();
        assert_eq!(submitted.status(), 303);
        for s in saves {
            assert_eq!(s.await.unwrap(), 303);
        }
        let a = reload(&app, &a).await;
        assert_eq!(a.status.code(), "submitted");
        let stored = attempt_answer::Entity::find()
            .filter(attempt_answer::Column::AttemptId.eq(a.id))
            .all(app.state.db.read())
            .await
            .unwrap();
        // What is stored is what was graded: every answer carries its credit, saved no later
        // than the submission, and they add up to the score.
        assert!(stored.iter().all(|r| r.fraction.is_some()), "an answer written after grading: {stored:?}");
        assert!(stored.iter().all(|r| r.saved_at <= a.submitted_at.unwrap()));
        let total: f64 = stored.iter().map(|r| r.fraction.unwrap()).sum();
        assert_eq!((total / 10.0 * 1000.0).round() / 10.0, a.score.unwrap(), "round {round}");
    }
});

db_test!(a_number_that_reads_two_ways_is_asked_again_and_one_that_does_not_is_graded, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let a = started(&app, &peserta, "akhir").await;
    let mut numeric = None;
    for slot in layout_of(&a) {
        let q = question::Entity::find_by_id(slot.q).one(app.state.db.read()).await.unwrap().unwrap();
        if q.kind == "angka" {
            numeric = Some(q.id);
        }
    }
    let Some(q) = numeric else {
        // The draw holds no numeric question this time: the unit tests cover the reading rule.
        return;
    };
    let mut fields = vec![("percobaan".to_string(), a.id.to_string()), (format!("q{q}"), "3.142".to_string())];
    fields.push(("d".into(), q.to_string()));
    let message = post_answers(&app, &peserta, fields.clone(), true).await;
    assert!(message.contains("dapat dibaca dua cara") && message.contains("3.142"), "{message}");
    assert_eq!(reload(&app, &a).await.status.code(), "in_progress", "not submitted on a guess");
    fields[1].1 = "3,142".into();
    let message = post_answers(&app, &peserta, fields, true).await;
    assert!(message.starts_with("Terkumpul"), "{message}");
});

db_test!(gift_questions_take_the_objective_and_section_of_the_upload_and_untagged_ones_are_listed, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    upload_gift(&app, &admin, CLEAN_GIFT).await;
    let tagged = question::Entity::find()
        .filter(question::Column::ExtId.starts_with("impor-"))
        .all(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(tagged.len(), 3);
    assert!(tagged.iter().all(|q| q.objective == Some(1) && q.section.as_deref() == Some("pendahuluan")));
    // A section the module does not have is refused, naming the field.
    let r = upload_gift_tagged(&app, &admin, "::X:: Benar? {T}", Some(("1", "tidak-ada"))).await;
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let message = flash_in(&admin.get(app.url(&to)).send().await.unwrap().text().await.unwrap());
    assert!(message.starts_with("Bagian"), "{message}");
    // Without tags the questions join, and the bank page lists them as untagged.
    upload_gift_tagged(&app, &admin, "::Tanpa tag:: Koperasi memiliki AD/ART. {T}", None).await;
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(r#"data-testid="untagged""#) && page.contains("impor-tanpa-tag"),
        "the untagged question is named"
    );
});

db_test!(a_gift_upload_that_would_make_the_bank_fail_its_checks_is_refused_and_the_bank_is_unchanged, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let base = bank_size(&app).await;
    // The stem of the module's pu-02, with other options: a question the bank already asks.
    let twice = "::Margin:: HPP gula pasir di gerai KKMP adalah Rp16.000 per kg. Bendahara ingin margin 12% dari \
                 harga jual (bukan markup 12%). Perhitungan harga jual mana yang benar? \
                 { =Rp16.000 dibagi 0,88 ~Rp16.000 kali 1,12 ~Rp16.000 tambah 12 ~Rp16.000 kali 0,12 }\n";
    let r = upload_gift(&app, &admin, twice).await;
    assert_eq!(r.status(), 303);
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    let message = flash_in(&page);
    assert!(message.contains("tidak diimpor"), "{message}");
    assert!(message.contains("pu-02"), "names the question it repeats: {message}");
    assert_eq!(bank_size(&app).await, base, "nothing added");
    // Twelve questions whose key is always the longest option tip the bank: refused too.
    let longest: String = (1..=12)
        .map(|i| {
            format!(
                "::Panjang {i}:: Pertanyaan uji nomor {i} tentang koperasi kelurahan yang ke-{i}? \
                 {{ =jawaban yang benar dan jauh lebih panjang dari yang lain nomor {i} ~salah {i} ~keliru {i} ~tidak {i} }}\n\n"
            )
        })
        .collect();
    upload_gift(&app, &admin, &longest).await;
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    let message = flash_in(&page);
    assert!(message.contains("tidak diimpor") && message.contains("terpanjang"), "{message}");
    assert_eq!(bank_size(&app).await, base, "nothing added");
});

db_test!(the_bank_page_lists_what_the_checks_find_in_questions_imported_before_them, |app| {
    use sea_orm::ActiveValue::NotSet;
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let clean = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    assert!(!clean.contains(r#"data-testid="bank-findings""#), "the shipped bank passes");
    // An import from before the check: a copy of pu-02 under an imported id.
    let (_, module_id) = app.state.module(SLUG).unwrap();
    let bank = domain::services::quizzes::current_bank(app.state.db.read(), module_id).await.unwrap();
    let original = question::Entity::find()
        .filter(question::Column::BankId.eq(bank.bank_id))
        .filter(question::Column::ExtId.eq("pu-02"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let mut copy = original.clone().into_active_model();
    copy.id = NotSet;
    copy.ext_id = Set("impor-lama".into());
    copy.sort_order = Set(original.sort_order + 1000);
    copy.insert(app.state.db.write()).await.unwrap();
    let page = admin.get(app.url(&format!("/bank-soal/{SLUG}"))).send().await.unwrap().text().await.unwrap();
    let listed = page.split(r#"data-testid="bank-findings""#).nth(1).expect("the findings are listed");
    assert!(listed.contains("impor-lama") && listed.contains("pu-02"), "names both questions");
});

db_test!(uploads_sent_at_once_are_checked_one_after_the_other_against_each_others_questions, |app| {
    app.seed_demo().await;
    let admin = signed_in(&app, ADMIN).await;
    let base = bank_size(&app).await;
    // Eight files asking the same new question with other options: each passes alone, any two
    // together ask one question twice.
    let uploads: Vec<_> = (0..8)
        .map(|i| {
            let text = format!(
                "::Serentak {i}:: Siapa yang mengesahkan laporan pertanggungjawaban pengurus koperasi kelurahan setiap tahun? \
                 {{ =jawaban A{i} ~jawaban B{i} ~jawaban C{i} ~jawaban D{i} }}\n"
            );
            let (app, admin) = (&app, admin.clone());
            async move { upload_gift(app, &admin, &text).await.status() }
        })
        .collect();
    let statuses = futures_util::future::join_all(uploads).await;
    assert!(statuses.iter().all(|s| s.as_u16() == 303), "{statuses:?}");
    assert_eq!(bank_size(&app).await, base + 1, "one of them joined, the others were refused");
});
