//! A certificate only for what happened: the completion rule cannot certify an unheld,
//! unattended or unrelated diklat. Tests belong to a diklat and count only inside its window;
//! the minimum attendance has a floor; nothing is issued before the last session has ended
//! (unless an exception is recorded); issued certificates that stop meeting a changed rule are
//! listed for a decision, never changed silently.

use crate::db_test;
use crate::helpers::{flash_in, TestApp};
use chrono::{Duration, NaiveTime, Utc};
use domain::{
    entities::{attempt, audit_log, certificate, diklat, diklat_session, enrolment, person},
    services::{
        certificates,
        clock::today_wib,
        quizzes::{layout_of, Phase},
        windows,
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set};

const PANITIA: (&str, &str) = ("panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp");
const PESERTA: (&str, &str) = ("081234560001", "demo-peserta-kkmp");

async fn signed_in(app: &TestApp, (login, password): (&str, &str)) -> reqwest::Client {
    let c = app.browser();
    let r = app.sign_in(&c, login, password).await;
    assert_eq!(r.headers()["location"], "/akun", "{login} signs in");
    c
}

/// Posts a form and returns the flash message of the page it leads to.
async fn post_flash<K: serde::Serialize>(
    app: &TestApp,
    c: &reqwest::Client,
    path: &str,
    form: &[(K, String)],
) -> String {
    let r = c.post(app.url(path)).form(form).send().await.unwrap();
    let to = r.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    flash_in(&c.get(app.url(&to)).send().await.unwrap().text().await.unwrap())
}

fn catalogue(app: &TestApp) -> Vec<(i32, String)> {
    app.state.quiz_modules()
}

/// A diklat of the demo's region from yesterday to tomorrow: module 1 taught yesterday
/// 08:00–10:00 (held), module 2 tomorrow 08:00–10:00 (not yet), `people` enrolled 3 days ago.
async fn fixture(app: &TestApp, people: &[i32]) -> diklat::Model {
    let w = app.state.db.write();
    let now = Utc::now();
    let today = today_wib(now);
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let d = diklat::ActiveModel {
        code: Set("UJI-ATURAN".into()),
        name: Set("Diklat uji aturan".into()),
        venue: Set("Aula Balai Kota".into()),
        starts_on: Set(today - Duration::days(1)),
        ends_on: Set(today + Duration::days(1)),
        total_jp: Set(8),
        status: Set("running".parse().unwrap()),
        province_id: Set(october.province_id),
        regency_id: Set(october.regency_id),
        min_attendance_pct: Set(80),
        require_pretests: Set(false),
        certificate_prefix: Set("UJI".into()),
        next_certificate_seq: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        present_statuses: Set("H,T".into()),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    let modules = catalogue(app);
    for (day, module) in [(-1, modules[0].0), (1, modules[1].0)] {
        diklat_session::ActiveModel {
            diklat_id: Set(d.id),
            session_date: Set(today + Duration::days(day)),
            starts_at: Set(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
            ends_at: Set(NaiveTime::from_hms_opt(10, 0, 0).unwrap()),
            title: Set(format!("Sesi modul {module}")),
            module_id: Set(Some(module)),
            room: Set("Aula".into()),
            jp: Set(4),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(w)
        .await
        .unwrap();
    }
    for p in people {
        enrol(app, &d, *p, now - Duration::days(3)).await;
    }
    d
}

/// Enrols `person_id` in `d` (only: their other enrolments, such as the demo's running angkatan,
/// are withdrawn, so only `d`'s windows apply).
async fn enrol(app: &TestApp, d: &diklat::Model, person_id: i32, at: chrono::DateTime<Utc>) {
    leave_others(app, person_id, d.id).await;
    enrolment::ActiveModel {
        diklat_id: Set(d.id),
        person_id: Set(person_id),
        status: Set("enrolled".parse().unwrap()),
        enrolled_at: Set(at),
        ..Default::default()
    }
    .insert(app.state.db.write())
    .await
    .unwrap();
}

async fn start(app: &TestApp, c: &reqwest::Client, slug: &str, phase: &str) -> Result<attempt::Model, String> {
    let r = c.post(app.url("/kuis/mulai")).form(&[("slug", slug), ("fase", phase)]).send().await.unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    match to.strip_prefix("/percobaan/") {
        Some(id) => {
            Ok(attempt::Entity::find_by_id(id.parse::<i64>().unwrap()).one(app.state.db.read()).await.unwrap().unwrap())
        }
        None => Err(flash_in(&c.get(app.url(&to)).send().await.unwrap().text().await.unwrap())),
    }
}

async fn submit_empty(app: &TestApp, c: &reqwest::Client, a: &attempt::Model) {
    let r = c
        .post(app.url("/kuis/jawab"))
        .form(&[("percobaan", a.id.to_string()), ("aksi", "kumpulkan".into()), ("yakin", "ya".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
}

async fn leave_others(app: &TestApp, person_id: i32, keep: i32) {
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::Status, sea_orm::sea_query::Expr::value("withdrawn"))
        .filter(enrolment::Column::PersonId.eq(person_id))
        .filter(enrolment::Column::DiklatId.ne(keep))
        .exec(app.state.db.write())
        .await
        .unwrap();
}

fn slug_of(app: &TestApp, module_id: i32) -> String {
    app.state
        .content
        .modules
        .iter()
        .find(|m| app.state.module(&m.meta.slug).unwrap().1 == module_id)
        .unwrap()
        .meta
        .slug
        .clone()
}

db_test!(tests_are_taken_for_a_diklat_inside_its_window_and_a_pretest_never_follows_its_posttest, |app| {
    app.seed_demo().await;
    let me = app.demo_peserta_id().await;
    let d = fixture(&app, &[me]).await;
    let peserta = signed_in(&app, PESERTA).await;
    let modules = catalogue(&app);
    let (held, coming) = (slug_of(&app, modules[0].0), slug_of(&app, modules[1].0));

    // Module 1 was taught yesterday: its pre-test closed when the session began, its post-test is open.
    let refused = start(&app, &peserta, &held, "awal").await.unwrap_err();
    assert!(refused.contains("Tes awal modul ini sudah ditutup"), "{refused}");
    let post = start(&app, &peserta, &held, "akhir").await.unwrap();
    assert_eq!(post.diklat_id, Some(d.id), "the attempt belongs to the diklat");
    // Module 2 is taught tomorrow: the pre-test is open, the post-test not yet.
    let pre = start(&app, &peserta, &coming, "awal").await.unwrap();
    assert_eq!(pre.diklat_id, Some(d.id));
    let not_yet = start(&app, &peserta, &coming, "akhir").await.unwrap_err();
    assert!(not_yet.contains("Tes akhir dibuka saat sesi modul ini dimulai"), "{not_yet}");
    // A module the diklat does not teach: no window at all.
    let other = slug_of(&app, modules[2].0);
    let none = start(&app, &peserta, &other, "akhir").await.unwrap_err();
    assert!(none.contains("belum terdaftar pada diklat yang mengajarkan modul ini"), "{none}");

    // Someone enrolled after module 1's first session has a pre-test until their own first session
    // on it; once they start the post-test, the pre-test is closed to them.
    let siti = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560002"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    enrol(&app, &d, siti.id, Utc::now()).await;
    let now = Utc::now();
    let late = windows::open_for(app.state.db.read(), siti.id, modules[0].0, true, now).await.unwrap();
    assert_eq!(late.map(|d| d.id), Ok(d.id), "a late enrollee may still take the pre-test");
    let q = domain::services::quizzes::quiz_of(app.state.db.read(), modules[0].0, Phase::Post).await.unwrap();
    let bank = domain::services::quizzes::current_bank(app.state.db.read(), modules[0].0).await.unwrap();
    domain::services::quizzes::start(app.state.db.write(), &app.state.questions, siti.id, &q, &bank, d.id, now)
        .await
        .unwrap();
    let after = windows::open_for(app.state.db.read(), siti.id, modules[0].0, true, now).await.unwrap();
    assert_eq!(after.map(|d| d.id), Err(windows::Closed::PreAfterPost));
    assert!(windows::Closed::PreAfterPost.message().contains("setelah tes akhir"));

    // After the closing day (the last day + 14 by default), the post-test is closed.
    let closed =
        windows::open_for(app.state.db.read(), me, modules[0].0, false, windows::closed_from(&d)).await.unwrap();
    assert!(matches!(closed, Err(windows::Closed::PostClosed { .. })), "{closed:?}");
    assert_eq!(windows::close_on(&d), d.ends_on + Duration::days(14));
});

db_test!(results_from_outside_a_diklats_window_do_not_count_for_it, |app| {
    app.seed_demo().await;
    let me = app.demo_peserta_id().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    leave_others(&app, me, october.id).await;
    let modules: Vec<(i32, String)> =
        certificates::rule_modules(app.state.db.read(), &october, &catalogue(&app)).await.unwrap();
    assert_eq!(modules.len(), 5, "October's sessions taught five modules");
    // Post-tests passed today, a year after October's closing day, or for no diklat at all: none counts.
    let w = app.state.db.write();
    for (module_id, _) in &modules {
        let q = domain::services::quizzes::quiz_of(w, *module_id, Phase::Post).await.unwrap();
        let bank = domain::services::quizzes::current_bank(w, *module_id).await.unwrap();
        let now = Utc::now();
        domain::services::quizzes::scored_attempt(&q, me, bank.bank_id, 100.0, (now, now), Some(october.id))
            .insert(w)
            .await
            .unwrap();
    }
    let s = certificates::standings(app.state.db.read(), &october, &catalogue(&app))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.person_id == me)
        .unwrap();
    assert_eq!(s.post_missing.len(), 5, "a result after the closing day does not count: {:?}", s.post_missing);
    // Through the page: the October post-test cannot be started at all any more.
    let peserta = signed_in(&app, PESERTA).await;
    let slug = slug_of(&app, modules[0].0);
    let refused = start(&app, &peserta, &slug, "akhir").await.unwrap_err();
    assert!(refused.contains("belum terdaftar") || refused.contains("ditutup"), "{refused}");
});

db_test!(the_rule_requires_only_the_modules_the_diklat_teaches_and_its_floor_holds, |app| {
    app.seed_demo().await;
    let d = fixture(&app, &[]).await;
    let required = certificates::rule_modules(app.state.db.read(), &d, &catalogue(&app)).await.unwrap();
    assert_eq!(required.len(), 2, "the modules of its two sessions, not every module: {required:?}");

    // A minimum attendance under the deployment's floor (50 %) is refused with the reason.
    let panitia = signed_in(&app, PANITIA).await;
    let form = |min: &str| {
        vec![
            ("id", d.id.to_string()),
            ("kode", d.code.clone()),
            ("nama", d.name.clone()),
            ("tempat", d.venue.clone()),
            ("mulai", d.starts_on.to_string()),
            ("selesai", d.ends_on.to_string()),
            ("jp", "8".into()),
            ("status", "running".into()),
            ("min_hadir", min.into()),
            ("hadir_h", "on".into()),
        ]
    };
    let refused = post_flash(&app, &panitia, "/diklat/simpan", &form("0")).await;
    assert!(refused.contains("paling rendah 50%"), "{refused}");
    let unchanged = diklat::Entity::find_by_id(d.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!(unchanged.min_attendance_pct, 80);
    // The rule may list its modules itself.
    let mut listed: Vec<(String, String)> = form("75").into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    listed.push((format!("modul_{}", catalogue(&app)[3].0), "on".to_string()));
    let saved = post_flash(&app, &panitia, "/diklat/simpan", &listed).await;
    assert_eq!(saved, "Diklat tersimpan.");
    let d = diklat::Entity::find_by_id(d.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!(d.min_attendance_pct, 75);
    let required = certificates::rule_modules(app.state.db.read(), &d, &catalogue(&app)).await.unwrap();
    assert_eq!(required, vec![catalogue(&app)[3].clone()]);
});

db_test!(no_certificate_before_the_last_session_has_ended_unless_an_exception_is_recorded, |app| {
    app.seed_demo().await;
    let me = app.demo_peserta_id().await;
    let d = fixture(&app, &[me]).await;
    // Present at both sessions (the second is tomorrow: marked ahead, as a careless rule would
    // let through) and both post-tests passed inside the window.
    let sessions = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .all(app.state.db.read())
        .await
        .unwrap();
    for s in &sessions {
        domain::entities::attendance::ActiveModel {
            diklat_session_id: Set(s.id),
            person_id: Set(me),
            status: Set("H".parse().unwrap()),
            source: Set(types::MarkSource::Panitia),
            marked_at: Set(Utc::now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(app.state.db.write())
        .await
        .unwrap();
    }
    for (module_id, _) in certificates::rule_modules(app.state.db.read(), &d, &catalogue(&app)).await.unwrap() {
        app.took(&d, module_id, Phase::Post, me, 95.0).await;
    }
    let s = certificates::standings(app.state.db.read(), &d, &catalogue(&app)).await.unwrap();
    assert!(s.iter().find(|s| s.person_id == me).unwrap().eligible(), "the rule itself is met");

    let panitia = signed_in(&app, PANITIA).await;
    let refused =
        post_flash(&app, &panitia, &format!("/diklat/{}/sertifikat/terbitkan", d.id), &[("yakin", "ya".into())]).await;
    assert!(refused.contains("Sertifikat belum dapat diterbitkan: sesi terakhir"), "{refused}");
    let automatic = certificates::issue_eligible(
        app.state.db.read(),
        app.state.db.write(),
        &app.state.certificate_key,
        &d,
        &catalogue(&app),
        None,
        None,
    )
    .await
    .unwrap();
    assert!(automatic.is_empty(), "the automatic issue waits too");
    let page = panitia.get(app.url(&format!("/diklat/{}/kelulusan", d.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-testid="not-yet""#));

    // An exception needs a reason, and records who allowed it.
    let short = post_flash(
        &app,
        &panitia,
        &format!("/diklat/{}/sertifikat/lebih-awal", d.id),
        &[("alasan", "cepat".into()), ("yakin", "ya".into())],
    )
    .await;
    assert!(short.contains("Alasan"), "{short}");
    let reason = "Sesi terakhir dibatalkan karena banjir; materi diberikan daring dan diuji.";
    let recorded = post_flash(
        &app,
        &panitia,
        &format!("/diklat/{}/sertifikat/lebih-awal", d.id),
        &[("alasan", reason.into()), ("yakin", "ya".into())],
    )
    .await;
    assert!(recorded.starts_with("Pengecualian tercatat"), "{recorded}");
    let line = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("diklat.early_issue"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .expect("audited");
    assert!(line.actor_account_id.is_some() && line.detail.unwrap().contains("banjir"));
    let issued =
        post_flash(&app, &panitia, &format!("/diklat/{}/sertifikat/terbitkan", d.id), &[("yakin", "ya".into())]).await;
    assert_eq!(issued, "1 sertifikat diterbitkan.");

    // The certificate names the days the sessions were held and the modules covered (payload v2).
    let c = certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(d.id))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let v = certificates::verification(&app.state.certificate_key, c.clone()).unwrap();
    assert!(v.signature_valid);
    assert_eq!(v.payload.v, 2);
    assert_eq!((v.payload.held_from, v.payload.held_to), (Some(d.starts_on), Some(d.ends_on)));
    assert_eq!(v.payload.modules.len(), 2);
    let page = app
        .client
        .get(app.url(&format!("/verifikasi/{}", c.verification_code)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"data-testid="modules""#), "the verification page lists the modules");
});

db_test!(a_certificate_that_stops_meeting_a_changed_rule_is_listed_for_a_decision_never_changed_silently, |app| {
    let issued = app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    assert!(!issued.is_empty());
    let before = certificates::no_longer_met(app.state.db.read(), &october, &catalogue(&app)).await.unwrap();
    assert!(before.is_empty(), "everyone certified meets the rule");
    // The rule is raised to 100 %: holders who missed a session no longer meet it.
    let mut row = october.clone().into_active_model();
    row.min_attendance_pct = Set(100);
    let october = row.update(app.state.db.write()).await.unwrap();
    let unmet = certificates::no_longer_met(app.state.db.read(), &october, &catalogue(&app)).await.unwrap();
    assert!(!unmet.is_empty(), "some holders missed a session");
    let still_valid = certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(october.id))
        .filter(certificate::Column::Status.eq("valid"))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(still_valid as usize, issued.len(), "nothing is revoked silently");

    let panitia = signed_in(&app, PANITIA).await;
    let page =
        panitia.get(app.url(&format!("/diklat/{}/kelulusan", october.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-testid="unmet""#) && page.contains(&unmet[0].certificate.number));
    // Kept: recorded with who decided, and off the list until something changes again.
    let kept = post_flash(
        &app,
        &panitia,
        "/sertifikat/tetap",
        &[("id", unmet[0].certificate.id.to_string()), ("yakin", "ya".into())],
    )
    .await;
    assert!(kept.contains("tetap berlaku"), "{kept}");
    let decided = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("certificate.confirm"))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(decided, 1);
    let after = certificates::no_longer_met(app.state.db.read(), &october, &catalogue(&app)).await.unwrap();
    assert_eq!(after.len(), unmet.len() - 1);
    let mut row = october.clone().into_active_model();
    row.present_statuses = Set("H".into());
    let october = row.update(app.state.db.write()).await.unwrap();
    let again = certificates::no_longer_met(app.state.db.read(), &october, &catalogue(&app)).await.unwrap();
    assert!(again.iter().any(|u| u.certificate.id == unmet[0].certificate.id), "a further change lists it again");
});

db_test!(a_participant_who_takes_the_pretest_however_often_sees_no_question_of_their_posttest_and_no_key, |app| {
    app.seed_demo().await;
    let siti = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560002"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let d = fixture(&app, &[]).await;
    // Enrolled after module 1's session: both its tests are open to her now.
    enrol(&app, &d, siti.id, Utc::now()).await;
    let module = catalogue(&app)[0].0;
    let slug = slug_of(&app, module);
    // Three pre-test attempts allowed here (the content allows one).
    let pre = domain::services::quizzes::quiz_of(app.state.db.read(), module, Phase::Pre).await.unwrap();
    let mut row = pre.clone().into_active_model();
    row.max_attempts = Set(3);
    row.update(app.state.db.write()).await.unwrap();
    // Siti signs in (her password set directly; the demo gives her a one-time code).
    let account = domain::entities::account::Entity::find()
        .filter(domain::entities::account::Column::PersonId.eq(siti.id))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let mut active = account.into_active_model();
    active.password_hash = Set(Some(domain::password::hash("sandi-siti-2026-x")));
    active.update(app.state.db.write()).await.unwrap();
    let c = signed_in(&app, ("081234560002", "sandi-siti-2026-x")).await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3 {
        let a = start(&app, &c, &slug, "awal").await.expect("a pre-test attempt");
        seen.extend(layout_of(&a).into_iter().map(|s| s.q));
        submit_empty(&app, &c, &a).await;
        let page = c.get(app.url(&format!("/percobaan/{}", a.id))).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains(r#"data-testid="review""#), "the pre-test shows no key");
        assert!(page.contains(r#"data-testid="pre-no-pass""#), "and no pass or fail");
    }
    let post = start(&app, &c, &slug, "akhir").await.expect("the post-test");
    let drawn: Vec<i32> = layout_of(&post).into_iter().map(|s| s.q).collect();
    assert!(!drawn.is_empty());
    assert!(drawn.iter().all(|q| !seen.contains(q)), "no question of the pre-tests comes back");
});

db_test!(results_kept_from_before_the_upgrade_count_for_the_diklat_whose_window_held_them, |app| {
    // The demo's October results, as an earlier version wrote them: no diklat, no closing day.
    app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let w = app.state.db.write();
    attempt::Entity::update_many()
        .col_expr(attempt::Column::DiklatId, sea_orm::sea_query::Expr::value(Option::<i32>::None))
        .exec(w)
        .await
        .unwrap();
    diklat::Entity::update_many()
        .col_expr(diklat::Column::TestsCloseOn, sea_orm::sea_query::Expr::value(Option::<chrono::NaiveDate>::None))
        .exec(w)
        .await
        .unwrap();
    // One result taken today for one of October's modules: outside October's window, inside
    // that of the current angkatan (running today, teaching the same modules).
    let me = app.demo_peserta_id().await;
    let module = catalogue(&app)[0].0;
    let q = domain::services::quizzes::quiz_of(w, module, Phase::Post).await.unwrap();
    let bank = domain::services::quizzes::current_bank(w, module).await.unwrap();
    let now = Utc::now();
    let late = domain::services::quizzes::scored_attempt(&q, me, bank.bank_id, 100.0, (now, now), None)
        .insert(w)
        .await
        .unwrap();
    migrations::m20261207_000011_certification_rules::backfill(w).await.unwrap();

    let october = diklat::Entity::find_by_id(october.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!(october.tests_close_on, Some(october.ends_on + Duration::days(14)));
    let current = app.diklat(domain::demo::CURRENT_CODE).await;
    let late = attempt::Entity::find_by_id(late.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!(late.diklat_id, Some(current.id), "today's result belongs to the angkatan running today");
    let october_results = attempt::Entity::find()
        .filter(attempt::Column::DiklatId.eq(october.id))
        .count(app.state.db.read())
        .await
        .unwrap();
    let all = attempt::Entity::find().count(app.state.db.read()).await.unwrap();
    assert_eq!(october_results, all - 1, "every October result stays October's");
    // October's standings are what they were: its results still count for it.
    let s = certificates::standings(app.state.db.read(), &october, &catalogue(&app)).await.unwrap();
    let eligible = s.iter().filter(|s| s.eligible()).count();
    let certified = certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(october.id))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(eligible as u64, certified);
});
