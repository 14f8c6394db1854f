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

fn modules(app: &TestApp) -> Vec<(i32, String)> {
    app.state.quiz_modules()
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
            status: Set(if i < absent { "A" } else { "H" }.into()),
            source: Set("panitia".into()),
            marked_at: Set(chrono::Utc::now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(app.state.db.write())
        .await
        .unwrap();
    }
}

/// A finished attempt at the module's test with `score`.
async fn took(app: &TestApp, module_id: i32, phase: Phase, person_id: i32, score: f64) {
    let q = quiz_of(app.state.db.read(), module_id, phase).await.unwrap();
    let bank = domain::services::quizzes::current_bank(app.state.db.read(), module_id).await.unwrap();
    attempt::ActiveModel {
        quiz_id: Set(q.id),
        person_id: Set(person_id),
        attempt_no: Set(1),
        bank_id: Set(bank.bank_id),
        started_at: Set(chrono::Utc::now()),
        submitted_at: Set(Some(chrono::Utc::now())),
        status: Set("submitted".into()),
        score: Set(Some(score)),
        passed: Set(Some(score >= f64::from(q.pass_mark))),
        layout: Set("[]".into()),
        ..Default::default()
    }
    .insert(app.state.db.write())
    .await
    .unwrap();
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
        took(&app, *module_id, Phase::Post, me, if i == 4 { 60.0 } else { 90.0 }).await;
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
    took(&app, mods[0].0, Phase::Pre, me, 40.0).await;
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
            took(app, module_id, Phase::Post, p, 90.0).await;
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
    let d = demo_diklat(&app).await;
    let me = peserta_id(&app).await;
    let mods = modules(&app);
    attend(&app, &d, me, 0).await;
    for (module_id, _) in &mods[1..] {
        took(&app, *module_id, Phase::Post, me, 90.0).await;
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
