//! The completion rule: each missing part is named, and a participant meets the rule only when
//! attendance (over all sessions), every post-test and — when required — every pre-test are in.

use crate::db_test;
use crate::helpers::TestApp;
use domain::{
    demo::LOGINS,
    entities::{attempt, attendance, diklat, diklat_session, person},
    services::{
        certificates::{standings, Standing},
        quizzes::{quiz_of, Phase},
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};

async fn demo_diklat(app: &TestApp) -> diklat::Model {
    diklat::Entity::find()
        .filter(diklat::Column::Code.eq(domain::demo::DIKLAT_CODE))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap()
}

async fn peserta_id(app: &TestApp) -> i32 {
    person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560001"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .expect("the demo peserta")
        .id
}

fn modules(app: &TestApp) -> Vec<(i32, String)> {
    app.state
        .content
        .modules
        .iter()
        .filter(|m| m.bank.is_some())
        .map(|m| (app.state.module_ids[&m.meta.slug], m.meta.title.clone()))
        .collect()
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
    let d = diklat::Entity::find()
        .filter(diklat::Column::Code.eq(domain::demo::CURRENT_CODE))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let all = standings(app.state.db.read(), &d, &modules(&app)).await.unwrap();
    assert!(!all.is_empty());
    assert!(all.iter().all(|s| !s.eligible() && !s.attendance_ok));
});
