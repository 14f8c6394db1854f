//! The completion rule: each missing part is named, and a participant meets the rule only when
//! attendance (over all sessions), every post-test and — when required — every pre-test are in.

use crate::db_test;
use crate::helpers::TestApp;
use domain::{
    demo::LOGINS,
    entities::{attempt, attendance, diklat, diklat_session},
    services::{
        certificates::{standings, Standing},
        quizzes::{quiz_of, Phase},
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

async fn demo_diklat(app: &TestApp) -> diklat::Model {
    app.diklat(domain::demo::DIKLAT_CODE).await
}

async fn peserta_id(app: &TestApp) -> i32 {
    app.demo_peserta_id().await
}

/// The modules the demo diklat's sessions teach (the first five with tests): what its rule requires.
fn modules(app: &TestApp) -> Vec<(i32, String)> {
    app.state.quiz_modules().into_iter().take(5).collect()
}

async fn standing_of(app: &TestApp, d: &diklat::Model, person_id: i32) -> Standing {
    standings(app.state.db.read(), d, &modules(app))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.person_id == person_id)
        .unwrap()
}

/// Marks the person in every session of the diklat with `status` (the first `absent` as A).
async fn attend(app: &TestApp, d: &diklat::Model, person_id: i32, absent: usize) {
    let sessions = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .all(app.state.db.read())
        .await
        .unwrap();
    attendance::Entity::delete_many()
        .filter(attendance::Column::PersonId.eq(person_id))
        .filter(attendance::Column::DiklatSessionId.is_in(sessions.iter().map(|s| s.id)))
        .exec(app.state.db.write())
        .await
        .unwrap();
    for (i, s) in sessions.iter().enumerate() {
        attendance::ActiveModel {
            diklat_session_id: Set(s.id),
            person_id: Set(person_id),
            status: Set(if i < absent { "A" } else { "H" }.parse().unwrap()),
            source: Set(types::MarkSource::Panitia),
            marked_at: Set(chrono::Utc::now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(app.state.db.write())
        .await
        .unwrap();
    }
}

db_test!(each_missing_part_of_the_completion_rule_is_named_until_all_are_met, |app| {
    app.seed_demo().await;
    let d = demo_diklat(&app).await;
    let me = peserta_id(&app).await;
    let mods = modules(&app);
    let sessions = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .all(app.state.db.read())
        .await
        .unwrap()
        .len();
    assert!(sessions >= 5, "the demo diklat has its sessions");

    // Full attendance, four of five post-tests passed (one failed): the fifth module is named.
    attend(&app, &d, me, 0).await;
    for (i, (module_id, _)) in mods.iter().enumerate() {
        app.took(&d, *module_id, Phase::Post, me, if i == 4 { 60.0 } else { 90.0 }).await;
    }
    let s = standing_of(&app, &d, me).await;
    assert_eq!((s.present, s.sessions, s.attendance_ok), (sessions, sessions, true));
    assert_eq!(s.post_missing, vec![mods[4].1.clone()]);
    assert!(!s.eligible());

    // The fifth passed on a second attempt (the quiz counts the highest): the rule is met.
    let q = quiz_of(app.state.db.read(), mods[4].0, Phase::Post).await.unwrap();
    let mut second = attempt::Entity::find()
        .filter(attempt::Column::QuizId.eq(q.id))
        .filter(attempt::Column::PersonId.eq(me))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    second.score = Set(Some(85.0));
    second.passed = Set(Some(true));
    second.update(app.state.db.write()).await.unwrap();
    assert!(standing_of(&app, &d, me).await.eligible());

    // Absent from enough sessions to fall under the minimum: attendance is what is missing.
    let allowed_absences = sessions - (sessions * d.min_attendance_pct as usize).div_ceil(100);
    attend(&app, &d, me, allowed_absences + 1).await;
    let s = standing_of(&app, &d, me).await;
    assert!(!s.attendance_ok && s.post_missing.is_empty() && !s.eligible(), "{s:?}");
    attend(&app, &d, me, allowed_absences).await;
    assert!(standing_of(&app, &d, me).await.eligible(), "exactly at the minimum is enough");

    // A diklat that requires pre-tests names the ones not taken.
    let mut row = d.clone().into_active_model();
    row.require_pretests = Set(true);
    let d = row.update(app.state.db.write()).await.unwrap();
    app.took(&d, mods[0].0, Phase::Pre, me, 40.0).await;
    let s = standing_of(&app, &d, me).await;
    assert_eq!(s.pre_missing.len(), mods.len() - 1);
    assert!(!s.pre_missing.contains(&mods[0].1));

    // The panitia page shows it; a peserta may not see it.
    let panitia = app.browser();
    app.sign_in(&panitia, LOGINS[1].login, LOGINS[1].password).await;
    let page = panitia.get(app.url(&format!("/diklat/{}/kelulusan", d.id))).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap().replace("<!>", "");
    assert!(page.contains("belum ikut tes awal:"), "the missing pre-tests are named");
    let peserta = app.browser();
    app.sign_in(&peserta, LOGINS[3].login, LOGINS[3].password).await;
    let r = peserta.get(app.url(&format!("/diklat/{}/kelulusan", d.id))).send().await.unwrap();
    assert_eq!(r.status(), 403);
});

db_test!(nobody_meets_the_rule_before_the_sessions_are_over, |app| {
    app.seed_demo().await;
    // The current angkatan runs from today: its later sessions count as not attended yet.
    let d = app.diklat(domain::demo::CURRENT_CODE).await;
    let all = standings(app.state.db.read(), &d, &modules(&app)).await.unwrap();
    assert!(!all.is_empty());
    assert!(all.iter().all(|s| !s.eligible() && !s.attendance_ok));
});

/// Makes the first `n` enrolled participants of the demo diklat meet the rule.
async fn qualify(app: &TestApp, d: &diklat::Model, n: usize) -> Vec<i32> {
    let people: Vec<i32> = domain::services::schedule::enrolled(app.state.db.read(), d.id)
        .await
        .unwrap()
        .iter()
        .take(n)
        .map(|e| e.person_id)
        .collect();
    for &p in &people {
        attend(app, d, p, 0).await;
        for (module_id, _) in modules(app) {
            app.took(d, module_id, Phase::Post, p, 90.0).await;
        }
    }
    people
}

db_test!(certificates_are_numbered_without_gaps_signed_and_never_issued_twice_even_when_issues_race, |app| {
    use domain::{entities::certificate, services::certificates::issue_eligible};
    app.seed_demo().await;
    let d = demo_diklat(&app).await;
    let people = qualify(&app, &d, 12).await;
    let mods = modules(&app);
    // Two issue runs at once (the periodic one and a panitia's bulk issue, say).
    let (a, b) = tokio::join!(
        issue_eligible(app.state.db.read(), app.state.db.write(), &app.state.certificate_key, &d, &mods, None, None),
        issue_eligible(app.state.db.read(), app.state.db.write(), &app.state.certificate_key, &d, &mods, None, Some(1)),
    );
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 12, "each eligible participant once");
    let all = certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(d.id))
        .all(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(all.len(), 12);
    let mut seqs: Vec<i32> = all.iter().map(|c| c.seq).collect();
    seqs.sort();
    assert_eq!(seqs, (1..=12).collect::<Vec<_>>(), "no gaps, no repeats");
    let again =
        issue_eligible(app.state.db.read(), app.state.db.write(), &app.state.certificate_key, &d, &mods, None, None)
            .await
            .unwrap();
    assert!(again.is_empty(), "issuing again changes nothing");
    for c in &all {
        assert!(people.contains(&c.person_id));
        assert!(
            c.number.starts_with(&format!("{}/", d.certificate_prefix)) && c.number.ends_with(&format!("{:06}", c.seq))
        );
        assert_eq!(domain::certcode::parse(&c.verification_code), Ok(c.verification_code.clone()));
        assert!(domain::signing::verify(&app.state.certificate_key.public_b64(), c.payload.as_bytes(), &c.signature));
        let payload: domain::services::certificates::Payload = serde_json::from_str(&c.payload).unwrap();
        assert_eq!(payload.number, c.number);
        assert_eq!(payload.post_tests.len(), mods.len());
        assert!(payload.nik.contains('•'), "the NIK is masked: {}", payload.nik);
        let altered = c.payload.replace(&payload.holder, "Orang Lain");
        assert!(!domain::signing::verify(&app.state.certificate_key.public_b64(), altered.as_bytes(), &c.signature));
    }
});

db_test!(passing_the_last_post_test_issues_the_certificate_at_once, |app| {
    use domain::entities::certificate;
    app.seed_demo().await;
    // The angkatan running now (its post-tests open), with an exception recorded so certificates
    // may be issued before its last session (tomorrow) has ended.
    let d = app.diklat(domain::demo::CURRENT_CODE).await;
    let mut row = d.into_active_model();
    row.early_issue_reason = Set(Some("Uji: sertifikat terbit sebelum sesi terakhir".into()));
    row.early_issue_at = Set(Some(chrono::Utc::now()));
    let d = row.update(app.state.db.write()).await.unwrap();
    let me = peserta_id(&app).await;
    let mods = modules(&app);
    attend(&app, &d, me, 0).await;
    for (module_id, _) in &mods[1..] {
        app.took(&d, *module_id, Phase::Post, me, 90.0).await;
    }
    let count = || async {
        certificate::Entity::find()
            .filter(certificate::Column::PersonId.eq(me))
            .all(app.state.db.read())
            .await
            .unwrap()
            .len()
    };
    assert_eq!(count().await, 0);
    // The first module's post-test, taken over HTTP with every answer right.
    let peserta = app.browser();
    app.sign_in(&peserta, LOGINS[3].login, LOGINS[3].password).await;
    let slug = app
        .state
        .content
        .modules
        .iter()
        .find(|m| app.state.module_ids[&m.meta.slug] == mods[0].0)
        .unwrap()
        .meta
        .slug
        .clone();
    let r =
        peserta.post(app.url("/kuis/mulai")).form(&[("slug", slug.as_str()), ("fase", "akhir")]).send().await.unwrap();
    let id: i64 = r.headers()["location"].to_str().unwrap().strip_prefix("/percobaan/").unwrap().parse().unwrap();
    let a = attempt::Entity::find_by_id(id).one(app.state.db.read()).await.unwrap().unwrap();
    let mut fields = vec![
        ("percobaan".to_string(), id.to_string()),
        ("aksi".into(), "kumpulkan".into()),
        ("yakin".into(), "ya".into()),
    ];
    let ids: Vec<i32> = domain::services::quizzes::layout_of(&a).iter().map(|s| s.q).collect();
    let questions = app.state.questions.get(app.state.db.read(), &ids).await.unwrap();
    for q in ids {
        fields.push(("d".into(), q.to_string()));
        let name = format!("q{q}");
        match &questions[&q].key {
            domain::quiz::Key::Choices(o) => fields
                .extend(o.iter().enumerate().filter(|(_, o)| o.correct).map(|(k, _)| (name.clone(), k.to_string()))),
            domain::quiz::Key::TrueFalse(b) => fields.push((name, if *b { "benar" } else { "salah" }.into())),
            domain::quiz::Key::Short(s) => fields.push((name, s[0].clone())),
            domain::quiz::Key::Numeric { value, .. } => fields.push((name, value.to_string())),
        }
    }
    let r = peserta.post(app.url("/kuis/jawab")).form(&fields).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/percobaan/{id}?terkumpul=1"));
    assert_eq!(count().await, 1, "issued before the answer reached the browser");
});

/// Issues certificates to the first `n` enrolled participants of the demo diklat; returns them
/// in number order.
async fn issued(app: &TestApp, n: usize) -> Vec<domain::entities::certificate::Model> {
    let d = demo_diklat(app).await;
    qualify(app, &d, n).await;
    let key = &app.state.certificate_key;
    domain::services::certificates::issue_eligible(
        app.state.db.read(),
        app.state.db.write(),
        key,
        &d,
        &modules(app),
        None,
        None,
    )
    .await
    .unwrap();
    domain::services::certificates::of_diklat(app.state.db.read(), d.id).await.unwrap()
}

async fn text_of(c: &reqwest::Client, url: String) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap().replace("<!>", "")
}

async fn signed_in(app: &TestApp, who: usize) -> reqwest::Client {
    let c = app.browser();
    app.sign_in(&c, LOGINS[who].login, LOGINS[who].password).await;
    c
}

/// What `GET /api/v1/certificates/{code}` answers, as JSON.
async fn api_json(app: &TestApp, c: &reqwest::Client, code: &str) -> serde_json::Value {
    c.get(app.url(&format!("/api/v1/certificates/{code}"))).send().await.unwrap().json().await.unwrap()
}

/// The verification page of `code`, without Leptos' markers.
async fn verification_page(app: &TestApp, c: &reqwest::Client, code: &str) -> String {
    text_of(c, app.url(&format!("/verifikasi/{code}"))).await
}

/// A code one character away from `code` (the check character catches it).
fn typo_of(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

db_test!(anyone_verifies_a_certificate_by_its_code_and_sees_it_revoked_with_the_reason, |app| {
    app.seed_demo().await;
    let certs = issued(&app, 2).await;
    let c = &certs[0];
    let payload: domain::services::certificates::Payload = serde_json::from_str(&c.payload).unwrap();
    let anyone = app.browser();

    let page = verification_page(&app, &anyone, &c.verification_code).await;
    assert!(page.contains("<strong>Aktif</strong>"), "active");
    assert!(page.contains(&payload.holder) && page.contains(&payload.nik) && page.contains(&c.number));
    assert!(page.contains("Tanda tangan digital sah"));
    // Typed by hand: lower case, spaces instead of dashes, the same certificate.
    let sloppy = c.verification_code.to_lowercase().replace('-', " ");
    let typed = text_of(&anyone, app.url(&format!("/verifikasi?kode={}", sloppy.replace(' ', "+")))).await;
    assert!(typed.contains(&c.number), "found from the form's field");

    // The machine API: the signed payload checks against the published key.
    let json = api_json(&app, &anyone, &c.verification_code).await;
    assert_eq!((json["status"].as_str(), json["signature_valid"].as_bool()), (Some("aktif"), Some(true)));
    let keys: serde_json::Value =
        anyone.get(app.url("/.well-known/diklat-kkmp-keys.json")).send().await.unwrap().json().await.unwrap();
    let public = keys["keys"][0]["x"].as_str().unwrap();
    let signed = json["payload"].as_str().unwrap();
    assert!(domain::signing::verify(public, signed.as_bytes(), json["signature"].as_str().unwrap()));
    assert_eq!(json["certificate"]["holder"], payload.holder);

    // A typo is caught by the check character; an unknown code reveals nothing.
    let typo = typo_of(&c.verification_code);
    let page = verification_page(&app, &anyone, &typo).await;
    assert!(page.contains("Kode tidak valid"), "typo named");
    let r = anyone.get(app.url(&format!("/api/v1/certificates/{typo}"))).send().await.unwrap();
    assert_eq!(r.status(), 400);
    let unknown = domain::certcode::generate();
    let page = verification_page(&app, &anyone, &unknown).await;
    assert!(page.contains("Kode ini tidak terdaftar"));
    assert!(!page.contains(&payload.holder) && !page.contains("data-testid=\"certificate\""));
    // The certificate's number is not its code: said so, and pointed to the code, never looked up.
    let page = text_of(&anyone, app.url(&format!("/verifikasi?kode={}", c.number.replace('/', "%2F")))).await;
    assert!(page.contains("Yang Anda ketik adalah nomor sertifikat, bukan kode verifikasi"), "number recognised");
    assert!(
        !page.contains(&payload.holder) && !page.contains("data-testid=\"certificate\""),
        "numbers are not looked up"
    );
    let r = anyone.get(app.url(&format!("/api/v1/certificates/{unknown}"))).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().await.unwrap(), r#"{"error":"Kode verifikasi tidak terdaftar."}"#, "nothing but that");

    // Revocation: panitia only, with a confirmation and a reason; never a delete.
    let peserta = signed_in(&app, 3).await;
    let form = |reason: &'static str, sure: bool| {
        let mut f = vec![("id", c.id.to_string()), ("alasan", reason.to_string())];
        if sure {
            f.push(("yakin", "ya".into()));
        }
        f
    };
    let r = peserta.post(app.url("/sertifikat/cabut")).form(&form("Data jabatan keliru", true)).send().await.unwrap();
    assert_eq!(r.status(), 403, "a peserta cannot revoke");
    let panitia = signed_in(&app, 1).await;
    let page = verification_page(&app, &panitia, &c.verification_code).await;
    assert!(page.contains(LOGINS[1].name), "a signed-in visitor gets their own page, not the visitors' cached one");
    let back = format!("/diklat/{}/kelulusan", c.diklat_id);
    let post = |f: Vec<(&'static str, String)>| {
        let panitia = panitia.clone();
        let url = app.url("/sertifikat/cabut");
        async move { panitia.post(url).form(&f).send().await.unwrap() }
    };
    let r = post(form("Data jabatan keliru", false)).await;
    assert_eq!(r.headers()["location"], back.as_str());
    assert!(text_of(&panitia, app.url(&back)).await.contains("Centang \"Saya yakin\""));
    post(form("keliru", true)).await;
    assert!(text_of(&panitia, app.url(&back)).await.contains("Alasan pencabutan: tulis alasannya"));
    post(form("Data jabatan keliru; diganti sertifikat baru", true)).await;
    let page = text_of(&panitia, app.url(&back)).await;
    assert!(page.contains(&format!("Sertifikat {} dicabut.", c.number)), "{}", crate::helpers::flash_in(&page));

    let page = verification_page(&app, &anyone, &c.verification_code).await;
    assert!(page.contains("<strong>Dicabut</strong>") && page.contains("Data jabatan keliru; diganti sertifikat baru"));
    // Revoked first, then the signature — with no green tick a lurah would read as "valid".
    let status_at = page.find(r#"data-testid="status""#).unwrap();
    let signature_at = page.find(r#"data-testid="signature""#).unwrap();
    assert!(status_at < signature_at, "the status comes before the signature");
    assert!(page.contains("Sertifikat ini TIDAK BERLAKU."));
    assert!(!page.contains("✓ Tanda tangan digital sah") && page.contains("Tanda tangan digital asli (Ed25519)"));
    let json = api_json(&app, &anyone, &c.verification_code).await;
    assert_eq!(json["status"], "dicabut");
    assert_eq!(json["revocation_reason"], "Data jabatan keliru; diganti sertifikat baru");
    let row = domain::entities::certificate::Entity::find_by_id(c.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!((row.status.code(), row.number.as_str()), ("revoked", c.number.as_str()), "kept, marked revoked");
    let audited = domain::entities::audit_log::Entity::find()
        .filter(domain::entities::audit_log::Column::Action.eq("certificate.revoke"))
        .filter(domain::entities::audit_log::Column::EntityId.eq(c.id.to_string()))
        .all(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    post(form("Data jabatan keliru; diganti sertifikat baru", true)).await;
    assert!(text_of(&panitia, app.url(&back)).await.contains("sudah dicabut"), "revoking twice is refused");

    // Expiry: a date after the issue keeps it active until then; a past one shows it expired.
    let other = &certs[1];
    let expiry = |date: String| {
        let panitia = panitia.clone();
        let url = app.url("/sertifikat/berlaku");
        let id = other.id.to_string();
        async move { panitia.post(url).form(&[("id", id), ("tanggal", date)]).send().await.unwrap() }
    };
    let issued_on = other.issued_at.with_timezone(&domain::services::schedule::wib()).date_naive();
    expiry(issued_on.format("%Y-%m-%d").to_string()).await;
    assert!(text_of(&panitia, app.url(&back)).await.contains("Berlaku sampai: tanggal harus sesudah tanggal terbit"));
    let until = issued_on + chrono::Duration::days(365);
    expiry(until.format("%Y-%m-%d").to_string()).await;
    let page = verification_page(&app, &anyone, &other.verification_code).await;
    assert!(page.contains("<strong>Aktif</strong>") && page.contains("Berlaku sampai"));
    let mut row: domain::entities::certificate::ActiveModel =
        domain::entities::certificate::Entity::find_by_id(other.id)
            .one(app.state.db.read())
            .await
            .unwrap()
            .unwrap()
            .into();
    row.expires_on = Set(Some(chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()));
    row.update(app.state.db.write()).await.unwrap();
    app.state.certificates_changed();
    let page = verification_page(&app, &anyone, &other.verification_code).await;
    assert!(page.contains("<strong>Kedaluwarsa</strong>"), "expired after its date");
    let json = api_json(&app, &anyone, &other.verification_code).await;
    assert_eq!(json["status"], "kedaluwarsa");
});

db_test!(the_verification_api_is_rate_limited_per_address, |app| {
    app.seed_demo().await;
    let code = issued(&app, 1).await[0].verification_code.clone();
    let url = app.url(&format!("/api/v1/certificates/{code}"));
    for _ in 0..app.config.verify_rate_per_minute {
        assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
    }
    let r = app.client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(r.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() <= 60);
    // The page stays open to people.
    assert!(verification_page(&app, &app.client, &code).await.contains("Aktif"));
});

db_test!(a_pdf_goes_only_to_its_holder_or_the_panitia_and_carries_the_name_number_and_qr, |app| {
    app.seed_demo().await;
    let d = demo_diklat(&app).await;
    let me = peserta_id(&app).await;
    attend(&app, &d, me, 0).await;
    for (module_id, _) in modules(&app) {
        app.took(&d, module_id, Phase::Pre, me, 50.0).await;
        app.took(&d, module_id, Phase::Post, me, 90.0).await;
    }
    let others = issued(&app, 3).await;
    let mine = others.iter().find(|c| c.person_id == me).expect("the demo peserta is certified").clone();
    let someone_else = others.iter().find(|c| c.person_id != me).unwrap().clone();
    let payload: domain::services::certificates::Payload = serde_json::from_str(&mine.payload).unwrap();
    assert_eq!(payload.learning_gain(), Some(40.0));

    let peserta = signed_in(&app, 3).await;
    let list = text_of(&peserta, app.url("/sertifikat")).await;
    assert!(list.contains(&mine.number) && !list.contains(&someone_else.number), "their own only");
    let pdf_url =
        |c: &domain::entities::certificate::Model| app.url(&format!("/unduh/sertifikat/{}.pdf", c.verification_code));
    let r = peserta.get(pdf_url(&mine)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    let text = crate::pdf_support::pdf_text(&pdf);
    assert!(text.contains(&payload.holder), "the holder's name is in the PDF");
    assert!(text.contains(&mine.number), "and the number");
    assert_eq!(
        crate::pdf_support::pdf_qr(&pdf).as_deref(),
        Some(format!("{}/verifikasi/{}", app.config.public_url, mine.verification_code).as_str()),
        "the QR opens the verification page"
    );

    // Someone else's certificate, even with its code: not found. Signed out: sign in first.
    assert_eq!(peserta.get(pdf_url(&someone_else)).send().await.unwrap().status(), 404);
    assert_eq!(peserta.get(app.url("/unduh/sertifikat/0000-0000-0000-0000-0.pdf")).send().await.unwrap().status(), 404);
    let r = app.client.get(pdf_url(&mine)).send().await.unwrap();
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk"));
    // The diklat's panitia may.
    let panitia = signed_in(&app, 1).await;
    assert_eq!(panitia.get(pdf_url(&someone_else)).send().await.unwrap().status(), 200);
});

db_test!(panitia_issue_in_bulk_after_review_and_download_a_zip_per_diklat_or_kelurahan, |app| {
    app.seed_demo().await;
    let d = demo_diklat(&app).await;
    qualify(&app, &d, 4).await;
    let panitia = signed_in(&app, 1).await;
    let back = format!("/diklat/{}/kelulusan", d.id);
    let page = text_of(&panitia, app.url(&back)).await;
    assert!(page.contains("terbitkan sertifikat untuk 4 peserta yang memenuhi syarat"), "the button says how many");
    let issue = |sure: bool| {
        let f: Vec<(&str, &str)> = if sure { vec![("yakin", "ya")] } else { vec![] };
        let panitia = panitia.clone();
        let url = app.url(&format!("/diklat/{}/sertifikat/terbitkan", d.id));
        async move { panitia.post(url).form(&f).send().await.unwrap() }
    };
    issue(false).await;
    assert!(crate::helpers::flash_in(&text_of(&panitia, app.url(&back)).await).starts_with("Centang kotak konfirmasi"));
    issue(true).await;
    let page = text_of(&panitia, app.url(&back)).await;
    assert_eq!(crate::helpers::flash_in(&page), "4 sertifikat diterbitkan.");
    assert!(page.contains("4 sertifikat terbit"));
    issue(true).await;
    assert!(crate::helpers::flash_in(&text_of(&panitia, app.url(&back)).await).starts_with("Tidak ada sertifikat baru"));

    // A ZIP of the whole diklat, then of one kelurahan, each built in the background.
    let certs = domain::services::certificates::of_diklat(app.state.db.read(), d.id).await.unwrap();
    let first: domain::services::certificates::Payload = serde_json::from_str(&certs[0].payload).unwrap();
    let in_first_village = certs
        .iter()
        .filter(|c| {
            serde_json::from_str::<domain::services::certificates::Payload>(&c.payload).unwrap().kelurahan
                == first.kelurahan
        })
        .count();
    for (kelurahan, expected) in [("", 4), (first.kelurahan.as_str(), in_first_village)] {
        let r = panitia
            .post(app.url(&format!("/diklat/{}/sertifikat/zip", d.id)))
            .form(&[("kelurahan", kelurahan)])
            .send()
            .await
            .unwrap();
        let progress = r.headers()["location"].to_str().unwrap().to_string();
        assert!(progress.starts_with("/sertifikat/unduhan/"));
        let mut page = String::new();
        for _ in 0..120 {
            page = text_of(&panitia, app.url(&progress)).await;
            if page.contains("data-testid=\"zip-download\"") {
                break;
            }
            assert!(page.contains("http-equiv=\"refresh\""), "the page refreshes itself while building");
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(page.contains(&format!("{expected} dari {expected} sertifikat")), "progress complete");
        let job = progress.rsplit('/').next().unwrap();
        let zip_url = app.url(&format!("/unduh/sertifikat-zip/{job}"));
        let bytes = panitia.get(&zip_url).send().await.unwrap().bytes().await.unwrap().to_vec();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), expected);
        let mut first_pdf = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_index(0).unwrap(), &mut first_pdf).unwrap();
        assert!(first_pdf.starts_with(b"%PDF"));
        // Nobody else fetches it, even with the link.
        let other = signed_in(&app, 0).await;
        assert_eq!(other.get(&zip_url).send().await.unwrap().status(), 404);
    }
});

db_test!(
    a_zip_started_on_one_instance_is_followed_and_downloaded_on_another_and_a_dead_builder_reads_as_failed,
    |app| {
        use domain::{entities::zip_job, services::zip_jobs};
        app.seed_demo().await;
        let d = demo_diklat(&app).await;
        qualify(&app, &d, 3).await;
        let panitia = signed_in(&app, 1).await;
        panitia
            .post(app.url(&format!("/diklat/{}/sertifikat/terbitkan", d.id)))
            .form(&[("yakin", "ya")])
            .send()
            .await
            .unwrap();
        let r = panitia
            .post(app.url(&format!("/diklat/{}/sertifikat/zip", d.id)))
            .form(&[("kelurahan", "")])
            .send()
            .await
            .unwrap();
        let progress = r.headers()["location"].to_str().unwrap().to_string();
        let job = progress.rsplit('/').next().unwrap().to_string();

        // A second instance on the same database: its progress page and its download serve the job
        // the first one builds.
        let other = format!("http://{}", app.restarted().await);
        let mut page = String::new();
        for _ in 0..120 {
            page = text_of(&panitia, format!("{other}{progress}")).await;
            if page.contains("data-testid=\"zip-download\"") {
                break;
            }
            assert!(!page.contains("role=\"alert\""), "no failure while the builder is alive: {page}");
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        assert!(page.contains("3 dari 3 sertifikat"), "progress complete, read on the other instance");
        let bytes =
            panitia.get(format!("{other}/unduh/sertifikat-zip/{job}")).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap().len(), 3);
        // As a browser asks for it (gzip, br): whole, whatever the compression layer does with it.
        let path = format!("/unduh/sertifikat-zip/{job}");
        let (status, headers, body) = crate::downloads::download(&app, &panitia, &path, "gzip, deflate, br").await;
        assert_eq!((status, headers["content-type"].to_str().unwrap()), (200, "application/zip"));
        assert_eq!(zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap().len(), 3, "a whole ZIP");

        // A job whose builder stopped writing its heartbeat (its instance died) says so, and stops
        // refreshing; one older than an hour is gone.
        let owner =
            zip_job::Entity::find_by_id(job.as_str()).one(app.state.db.read()).await.unwrap().unwrap().owner_account_id;
        let new = |title: &str| zip_jobs::NewJob {
            owner_account_id: owner,
            title: title.into(),
            file_name: "x.zip".into(),
            back: "/diklat".into(),
            total: 10,
        };
        let now = chrono::Utc::now();
        let dead =
            zip_jobs::start(app.state.db.write(), new("Mati"), now - chrono::TimeDelta::minutes(3)).await.unwrap();
        let page = text_of(&panitia, format!("{other}/sertifikat/unduhan/{dead}")).await;
        assert!(page.contains("berhenti sebelum selesai"), "{page}");
        assert!(!page.contains("http-equiv=\"refresh\""), "a failed job does not refresh forever");
        assert_eq!(panitia.get(app.url(&format!("/unduh/sertifikat-zip/{dead}"))).send().await.unwrap().status(), 404);
        let old = zip_jobs::start(app.state.db.write(), new("Lama"), now - chrono::TimeDelta::hours(2)).await.unwrap();
        assert_eq!(panitia.get(app.url(&format!("/sertifikat/unduhan/{old}"))).send().await.unwrap().status(), 404);
        // Starting a job clears the expired ones from the table.
        zip_jobs::start(app.state.db.write(), new("Baru"), now).await.unwrap();
        assert!(zip_job::Entity::find_by_id(old.as_str()).one(app.state.db.read()).await.unwrap().is_none());
    }
);

/// `--demo`: the October angkatan's results are seeded and its certificates issued at start-up.
async fn demo_start_certifies_october(backend: crate::helpers::Backend) {
    let Some(app) = TestApp::spawn_with(backend, |c| c.demo = true).await else { return };
    let d = demo_diklat(&app).await;
    let certs = domain::services::certificates::of_diklat(app.state.db.read(), d.id).await.unwrap();
    let all = standings(app.state.db.read(), &d, &modules(&app)).await.unwrap();
    let eligible: Vec<i32> = all.iter().filter(|s| s.eligible()).map(|s| s.person_id).collect();
    assert!(certs.len() > 50, "most of the October angkatan is certified: {}", certs.len());
    let mut certified: Vec<i32> = certs.iter().map(|c| c.person_id).collect();
    certified.sort_unstable();
    let mut expected = eligible.clone();
    expected.sort_unstable();
    assert_eq!(certified, expected, "exactly those who meet the rule");
    let me = peserta_id(&app).await;
    assert!(!certified.contains(&me), "the demo peserta takes the tests themselves");
    app.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_starts_with_the_october_certificates_on_sqlite() {
    demo_start_certifies_october(crate::helpers::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL when building the tests")]
async fn the_demo_starts_with_the_october_certificates_on_postgres() {
    demo_start_certifies_october(crate::helpers::Backend::Postgres).await;
}
