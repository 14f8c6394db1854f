//! The participants' evaluation of a diklat: only those who attended rate a session's
//! narasumber; an answer never comes back with its author; a required evaluation holds the
//! certificate back until it is sent; the report's figures are those computed by hand.

use crate::db_test;
use crate::helpers::{flash_in, TestApp};
use chrono::{Duration, NaiveTime, Utc};
use domain::{
    entities::{
        attendance, certificate, diklat, diklat_session, enrolment, evaluation_answer, evaluation_draft,
        evaluation_responder, person,
    },
    services::{certificates, clock::today_wib, evaluation},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::collections::BTreeMap;

const PANITIA: (&str, &str) = ("panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp");
const PEJABAT: (&str, &str) = ("pejabat@demo.diklat-kkmp.test", "demo-pejabat-kkmp");
const PESERTA: (&str, &str) = ("081234560001", "demo-peserta-kkmp");

async fn signed_in(app: &TestApp, (login, password): (&str, &str)) -> reqwest::Client {
    let c = app.browser();
    let r = app.sign_in(&c, login, password).await;
    assert_eq!(r.headers()["location"], "/akun", "{login} signs in");
    c
}

/// Posts a form and returns the flash message of the page it leads to.
async fn post_flash(app: &TestApp, c: &reqwest::Client, path: &str, form: &[(String, String)]) -> String {
    let r = c.post(app.url(path)).form(form).send().await.unwrap();
    assert_eq!(r.status(), 303, "{path}");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    flash_in(&c.get(app.url(&to)).send().await.unwrap().text().await.unwrap())
}

/// Every rated question of `form` at `rating`, open questions with `text`.
fn filled(form: &domain::evaluation::Form, rating: u8, text: &str) -> Vec<(String, String)> {
    form.questions
        .iter()
        .map(|q| {
            let value = match q.kind {
                domain::evaluation::Kind::Scale => rating.to_string(),
                domain::evaluation::Kind::Text => text.to_string(),
            };
            (format!("q_{}", q.id), value)
        })
        .collect()
}

fn form<'a>(app: &'a TestApp, id: &str) -> &'a domain::evaluation::Form {
    app.state.content.forms.iter().find(|f| f.id == id).unwrap_or_else(|| panic!("the {id} form"))
}

fn sending(d: i32, form_id: &str, session: i32, answers: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("diklat".into(), d.to_string()),
        ("formulir".into(), form_id.into()),
        ("sesi".into(), session.to_string()),
        ("aksi".into(), "kirim".into()),
        ("yakin".into(), "1".into()),
    ];
    fields.extend(answers);
    fields
}

async fn answers_to(app: &TestApp, session_id: i32) -> u64 {
    evaluation_answer::Entity::find()
        .filter(evaluation_answer::Column::SessionId.eq(session_id))
        .count(app.state.db.read())
        .await
        .unwrap()
}

db_test!(only_a_participant_who_attended_a_session_rates_its_narasumber, |app| {
    app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let me = app.demo_peserta_id().await;
    let db = app.state.db.write();
    let s = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(october.id))
        .filter(diklat_session::Column::NarasumberId.is_not_null())
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mark = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.eq(s.id))
        .filter(attendance::Column::PersonId.eq(me))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut absent: attendance::ActiveModel = mark.clone().into();
    absent.status = Set("A".parse().unwrap());
    absent.update(db).await.unwrap();
    let c = signed_in(&app, PESERTA).await;
    let narasumber = form(&app, "narasumber");
    let before = answers_to(&app, s.id).await;
    let form_page = format!("/evaluasi/{}/narasumber/{}", october.id, s.id);

    let refused =
        post_flash(&app, &c, "/evaluasi/kirim", &sending(october.id, "narasumber", s.id, filled(narasumber, 4, "")))
            .await;
    assert!(refused.contains("hanya peserta yang hadir (H atau T)"), "{refused}");
    assert_eq!(answers_to(&app, s.id).await, before, "nothing stored for an absent participant");
    let page = c.get(app.url(&form_page)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains(r#"data-testid="evaluation-form""#), "no form for a session they missed");
    let listed = c.get(app.url("/evaluasi")).send().await.unwrap().text().await.unwrap();
    assert!(!listed.contains(&format!("/evaluasi/{}/narasumber/{}\"", october.id, s.id)), "not listed either");

    // Marked late instead: now they may, once.
    let mut late: attendance::ActiveModel = mark.into();
    late.status = Set("T".parse().unwrap());
    late.update(db).await.unwrap();
    let listed = c.get(app.url("/evaluasi")).send().await.unwrap().text().await.unwrap();
    assert!(listed.contains(&format!("/evaluasi/{}/narasumber/{}\"", october.id, s.id)), "listed once attended");
    let sent =
        post_flash(&app, &c, "/evaluasi/kirim", &sending(october.id, "narasumber", s.id, filled(narasumber, 4, "")))
            .await;
    assert_eq!(sent, "Evaluasi terkirim. Terima kasih!");
    assert_eq!(answers_to(&app, s.id).await, before + 1);
    // Each answer keeps the narasumber it rated: changing the session's speaker later moves none.
    let rated: Vec<Option<i32>> = evaluation_answer::Entity::find()
        .filter(evaluation_answer::Column::SessionId.eq(s.id))
        .all(app.state.db.read())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.narasumber_id)
        .collect();
    assert!(rated.iter().all(|n| *n == s.narasumber_id), "{rated:?}");
    let again =
        post_flash(&app, &c, "/evaluasi/kirim", &sending(october.id, "narasumber", s.id, filled(narasumber, 1, "")))
            .await;
    assert!(again.contains("sudah Anda kirim"), "{again}");
    assert_eq!(answers_to(&app, s.id).await, before + 1, "a sent form cannot be sent again or changed");
});

db_test!(sending_without_a_rating_keeps_the_choices_as_a_draft_and_says_which_is_missing, |app| {
    app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let me = app.demo_peserta_id().await;
    let c = signed_in(&app, PESERTA).await;
    let organisation = form(&app, "penyelenggaraan");
    let mut answers = filled(organisation, 3, "Ruang terlalu dingin");
    answers.retain(|(k, _)| k != "q_konsumsi");
    let refused = post_flash(&app, &c, "/evaluasi/kirim", &sending(october.id, "penyelenggaraan", 0, answers)).await;
    assert_eq!(refused, "Kualitas dan kecukupan konsumsi: pilih salah satu nilai.");
    let page = c.get(app.url(&format!("/evaluasi/{}/penyelenggaraan/0", october.id))).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(page.contains("Ruang terlalu dingin"), "the open answer is kept as typed");
    assert!(page.contains(r#"name="q_jadwal" value="3" checked"#), "the ratings are kept");
    let draft =
        evaluation_draft::Entity::find().filter(evaluation_draft::Column::PersonId.eq(me)).count(app.state.db.read());
    assert_eq!(draft.await.unwrap(), 1);
    // A suggestion with line breaks as a browser sends them (CRLF) counts each break once: 2,000
    // characters pass the check ...
    let long = format!("{}\r\n{}", "a".repeat(999), "b".repeat(1000));
    let mut without_meals = filled(organisation, 3, &long);
    without_meals.retain(|(k, _)| k != "q_konsumsi");
    let next = post_flash(&app, &c, "/evaluasi/kirim", &sending(october.id, "penyelenggaraan", 0, without_meals)).await;
    assert_eq!(next, "Kualitas dan kecukupan konsumsi: pilih salah satu nilai.", "the length passed");
    // ... 2,001 are refused, and kept in the draft to be shortened.
    let too_long = format!("{long}c");
    let refused = post_flash(
        &app,
        &c,
        "/evaluasi/kirim",
        &sending(october.id, "penyelenggaraan", 0, filled(organisation, 3, &too_long)),
    )
    .await;
    assert_eq!(refused, "Saran perbaikan: paling banyak 2000 karakter.");
    let kept =
        evaluation_draft::Entity::find().filter(evaluation_draft::Column::PersonId.eq(me)).one(app.state.db.read());
    assert!(kept.await.unwrap().unwrap().answers.contains("bc"), "the long text stays in the draft");
});

db_test!(no_page_or_export_gives_an_answer_with_its_author, |app| {
    app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let me = app.demo_peserta_id().await;
    let my_name = person::Entity::find_by_id(me).one(app.state.db.read()).await.unwrap().unwrap().full_name;
    reopen(&app, &october).await;
    let c = signed_in(&app, PESERTA).await;
    let organisation = form(&app, "penyelenggaraan");
    // A draft first: it names its author, and must be gone once sent.
    let mut draft = sending(october.id, "penyelenggaraan", 0, filled(organisation, 2, "Saran-jejak-7319"));
    draft[3].1 = "simpan".into();
    assert_eq!(post_flash(&app, &c, "/evaluasi/kirim", &draft).await, "Draf tersimpan.");
    let sent = post_flash(
        &app,
        &c,
        "/evaluasi/kirim",
        &sending(october.id, "penyelenggaraan", 0, filled(organisation, 2, "Saran-jejak-7319")),
    )
    .await;
    assert_eq!(sent, "Evaluasi terkirim. Terima kasih!");
    let db = app.state.db.read();
    assert_eq!(
        evaluation_draft::Entity::find().filter(evaluation_draft::Column::PersonId.eq(me)).count(db).await.unwrap(),
        0,
        "the draft is deleted on submission"
    );
    assert!(evaluation_responder::Entity::find_by_id((me, october.id, "penyelenggaraan".to_string(), 0))
        .one(db)
        .await
        .unwrap()
        .is_some());
    let stored = evaluation_answer::Entity::find()
        .filter(evaluation_answer::Column::Answers.contains("Saran-jejak-7319"))
        .one(db)
        .await
        .unwrap()
        .expect("the answer is stored");
    assert!(stored.id > i64::from(i32::MAX), "a random id, not a sequence a responder's order could match");
    assert!(!stored.late);
    // While the evaluation is open the panitia sees counts only; the figures come after the close.
    let panitia = signed_in(&app, PANITIA).await;
    let open = panitia.get(app.url(&format!("/diklat/{}/evaluasi", october.id))).send().await.unwrap();
    let open = open.text().await.unwrap();
    assert!(open.contains(r#"data-testid="not-closed""#) && !open.contains("Saran-jejak-7319"));
    close(&app, &october).await;
    // The participant cannot read it back.
    let mine = c.get(app.url(&format!("/evaluasi/{}/penyelenggaraan/0", october.id))).send().await.unwrap();
    let mine = mine.text().await.unwrap();
    assert!(mine.contains(r#"data-testid="evaluation-sent""#) && !mine.contains("Saran-jejak-7319"));
    // The panitia sees it among the others, with no name anywhere on the page or in the exports.
    let enrolled: Vec<i32> = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(october.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.person_id)
        .collect();
    let names: Vec<String> = person::Entity::find()
        .filter(person::Column::Id.is_in(enrolled))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.full_name)
        .collect();
    for path in [
        format!("/diklat/{}/evaluasi", october.id),
        format!("/unduh/evaluasi/evaluasi-{}.csv", october.id),
        format!("/unduh/evaluasi/evaluasi-{}.xlsx", october.id),
    ] {
        let r = panitia.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let body = String::from_utf8_lossy(&r.bytes().await.unwrap()).to_string();
        // The page's own content (the header names whoever is signed in: the panitia).
        let body = match (body.find("<main"), body.find("</main>")) {
            (Some(from), Some(to)) => body[from..to].to_string(),
            _ => body,
        };
        if path.ends_with("/evaluasi") {
            assert!(body.contains("Saran-jejak-7319"), "the suggestion is shown");
            assert!(body.contains(r#"data-testid="ikm""#), "with the index");
        }
        for name in names.iter().filter(|n| n.len() > 6) {
            assert!(!body.contains(name.as_str()), "{path} names {name}");
        }
        assert!(!body.contains(&my_name), "{path}");
    }
    // Other roles get no report at all.
    let pejabat = signed_in(&app, PEJABAT).await;
    let r = pejabat.get(app.url(&format!("/diklat/{}/evaluasi", october.id))).send().await.unwrap();
    assert_ne!(r.status(), 200);
    let r = pejabat.get(app.url(&format!("/unduh/evaluasi/evaluasi-{}.csv", october.id))).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c.get(app.url(&format!("/unduh/evaluasi/evaluasi-{}.csv", october.id))).send().await.unwrap();
    assert_eq!(r.status(), 403, "nor the participant");
});

db_test!(a_required_evaluation_holds_the_certificate_back_until_it_is_sent, |app| {
    app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let panitia = signed_in(&app, PANITIA).await;
    let set = post_flash(
        &app,
        &panitia,
        &format!("/diklat/{}/evaluasi/atur", october.id),
        &[
            ("formulir".into(), "penyelenggaraan".into()),
            ("formulir".into(), "narasumber".into()),
            ("wajib".into(), "1".into()),
        ],
    )
    .await;
    assert_eq!(set, "Pilihan evaluasi tersimpan.");
    let modules = app.state.quiz_modules();
    let db = app.state.db.read();
    // Someone certified who has not answered (the demo leaves one in eight out).
    let answered: std::collections::HashSet<i32> =
        evaluation_responder::Entity::find().all(db).await.unwrap().into_iter().map(|r| r.person_id).collect();
    let all = certificates::standings(db, &october, &modules).await.unwrap();
    let holder = certificate::Entity::find()
        .filter(certificate::Column::DiklatId.eq(october.id))
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .find(|c| !answered.contains(&c.person_id))
        .expect("a certified participant who has not answered");
    let s = all.iter().find(|s| s.person_id == holder.person_id).unwrap();
    assert!(!s.eligible(), "{s:?}");
    assert!(s.evaluation_missing.iter().any(|m| m == "penyelenggaraan"), "{:?}", s.evaluation_missing);
    assert!(certificates::unmet_reasons(s, &october).contains("evaluasi belum diisi: penyelenggaraan"));
    let page = panitia.get(app.url(&format!("/diklat/{}/kelulusan", october.id))).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("evaluasi belum diisi"));

    // Without their certificate (as if not issued yet), the automatic issue waits...
    certificate::Entity::delete_by_id(holder.id).exec(app.state.db.write()).await.unwrap();
    let issue = || {
        certificates::issue_for_person(db, app.state.db.write(), &app.state.certificate_key, holder.person_id, &modules)
    };
    assert!(issue().await.unwrap().is_empty(), "no certificate while an evaluation is missing");
    // ... until every form asked of them is sent.
    let forms = &app.state.content.forms;
    let now = Utc::now();
    for due in evaluation::due_for(db, holder.person_id, forms, now).await.unwrap() {
        let f = forms.iter().find(|f| f.id == due.form_id).unwrap();
        let answers: BTreeMap<String, String> = f.rated().map(|q| (q.id.clone(), "3".to_string())).collect();
        let key = (due.diklat_id, due.form_id.as_str(), due.session_id);
        evaluation::submit(app.state.db.write(), holder.person_id, forms, key, &answers, now).await.unwrap();
    }
    let issued = issue().await.unwrap();
    assert_eq!(issued.len(), 1, "released once the evaluations are in");
    assert_eq!(issued[0].person_id, holder.person_id);
});

/// Closes `d`'s evaluation (its post-tests closed yesterday): its figures are published.
async fn close(app: &TestApp, d: &diklat::Model) {
    let mut closed: diklat::ActiveModel = d.clone().into();
    closed.tests_close_on = Set(Some(today_wib(Utc::now()) - Duration::days(1)));
    closed.update(app.state.db.write()).await.unwrap();
}

/// Reopens `d`'s evaluation (its post-tests close today).
async fn reopen(app: &TestApp, d: &diklat::Model) {
    let mut open: diklat::ActiveModel = d.clone().into();
    open.tests_close_on = Set(Some(today_wib(Utc::now())));
    open.update(app.state.db.write()).await.unwrap();
}

/// A diklat of the demo's region that started yesterday, with `people` enrolled and the
/// organisation form asked for.
async fn fixture(app: &TestApp, people: &[i32]) -> diklat::Model {
    let w = app.state.db.write();
    let now = Utc::now();
    let today = today_wib(now);
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let d = diklat::ActiveModel {
        code: Set("UJI-EVALUASI".into()),
        name: Set("Diklat uji evaluasi".into()),
        venue: Set("Aula".into()),
        starts_on: Set(today - Duration::days(1)),
        ends_on: Set(today),
        total_jp: Set(4),
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
    diklat_session::ActiveModel {
        diklat_id: Set(d.id),
        session_date: Set(today - Duration::days(1)),
        starts_at: Set(NaiveTime::from_hms_opt(8, 0, 0).unwrap()),
        ends_at: Set(NaiveTime::from_hms_opt(10, 0, 0).unwrap()),
        title: Set("Pembukaan".into()),
        room: Set("Aula".into()),
        jp: Set(4),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    for p in people {
        enrolment::ActiveModel {
            diklat_id: Set(d.id),
            person_id: Set(*p),
            status: Set("enrolled".parse().unwrap()),
            enrolled_at: Set(now - Duration::days(3)),
            ..Default::default()
        }
        .insert(w)
        .await
        .unwrap();
    }
    let panitia = signed_in(app, PANITIA).await;
    let path = format!("/diklat/{}/evaluasi/atur", d.id);
    let set = post_flash(app, &panitia, &path, &[("formulir".into(), "penyelenggaraan".into())]).await;
    assert_eq!(set, "Pilihan evaluasi tersimpan.");
    d
}

db_test!(the_report_shows_the_figures_computed_by_hand_and_nothing_below_five_answers, |app| {
    app.seed_demo().await;
    let people: Vec<i32> = person::Entity::find()
        .all(app.state.db.read())
        .await
        .unwrap()
        .into_iter()
        .skip(3)
        .take(5)
        .map(|p| p.id)
        .collect();
    let d = fixture(&app, &people).await;
    let forms = &app.state.content.forms;
    let organisation = form(&app, "penyelenggaraan");
    let now = Utc::now();
    // Every question rated 4, 4, 3, 3, 2 — but the meals 1, 2, 2, 3, 3; two suggestions.
    let general = [4, 4, 3, 3, 2];
    let meals = [1, 2, 2, 3, 3];
    let scopes = [domain::auth::Scope::National];
    for (i, &p) in people.iter().enumerate() {
        if i == 4 {
            // Before the close nothing shows, however many answered; after it, four are too few.
            let (_, open) = evaluation::report(app.state.db.read(), &scopes, d.id, forms, 1, Utc::now()).await.unwrap();
            assert!(!open.closed && !open.forms[0].shown, "no figure while answers still come in");
            close(&app, &d).await;
            let (_, early) =
                evaluation::report(app.state.db.read(), &scopes, d.id, forms, 5, Utc::now()).await.unwrap();
            let f = &early.forms[0];
            assert_eq!((f.responses, f.expected, f.shown), (4, 5, false));
            assert!(f.questions.is_empty() && f.open.is_empty() && f.ikm.is_none(), "nothing shown of four answers");
            reopen(&app, &d).await;
        }
        let mut answers: BTreeMap<String, String> = organisation
            .rated()
            .map(|q| (q.id.clone(), if q.id == "konsumsi" { meals[i] } else { general[i] }.to_string()))
            .collect();
        if i < 2 {
            answers.insert("saran".into(), ["Tambah waktu diskusi", "Bagikan modul lebih awal"][i].into());
        }
        evaluation::submit(app.state.db.write(), p, forms, (d.id, "penyelenggaraan", 0), &answers, now).await.unwrap();
    }
    close(&app, &d).await;
    let (_, report) = evaluation::report(app.state.db.read(), &scopes, d.id, forms, 5, Utc::now()).await.unwrap();
    let f = &report.forms[0];
    assert_eq!((f.responses, f.expected, f.shown, f.response_percent()), (5, 5, true, 100));
    let q = |id: &str| f.questions.iter().find(|q| q.id == id).unwrap();
    // (4 + 4 + 3 + 3 + 2) / 5 = 3.2; (1 + 2 + 2 + 3 + 3) / 5 = 2.2.
    assert_eq!(q("jadwal").mean, Some(3.2));
    assert_eq!(q("jadwal").counts, vec![0, 1, 2, 2]);
    assert_eq!(q("konsumsi").mean, Some(2.2));
    assert_eq!(q("konsumsi").counts, vec![1, 2, 2, 0]);
    // IKM = (7 × 3.2 + 2.2) / 8 × 25 = 76.875: B (76.61–88.30).
    let ikm = f.ikm.unwrap();
    assert!((ikm - 76.875).abs() < 1e-9, "{ikm}");
    assert_eq!(domain::evaluation::ikm_category(ikm).0, 'B');
    assert_eq!(f.open[0].2, vec!["Bagikan modul lebih awal".to_string(), "Tambah waktu diskusi".to_string()]);
    // Published once: an answer sent after the close counts for its sender's certificate, not in
    // the figures, which would otherwise show it as the difference.
    let latecomer = person::Entity::find().all(app.state.db.read()).await.unwrap()[9].id;
    enrolment::ActiveModel {
        diklat_id: Set(d.id),
        person_id: Set(latecomer),
        status: Set("enrolled".parse().unwrap()),
        enrolled_at: Set(now - Duration::days(3)),
        ..Default::default()
    }
    .insert(app.state.db.write())
    .await
    .unwrap();
    let all_ones: BTreeMap<String, String> = organisation.rated().map(|q| (q.id.clone(), "1".to_string())).collect();
    evaluation::submit(app.state.db.write(), latecomer, forms, (d.id, "penyelenggaraan", 0), &all_ones, now)
        .await
        .unwrap();
    let (_, after) = evaluation::report(app.state.db.read(), &scopes, d.id, forms, 5, Utc::now()).await.unwrap();
    assert_eq!(after.forms[0].questions, f.questions, "the published figures do not move");
    assert_eq!(after.forms[0].ikm, f.ikm);
});

db_test!(a_burst_of_sends_of_one_form_stores_one_answer, |app| {
    app.seed_demo_with_certificates().await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let me = app.demo_peserta_id().await;
    let c = signed_in(&app, PESERTA).await;
    let fields = sending(october.id, "penyelenggaraan", 0, filled(form(&app, "penyelenggaraan"), 3, "Sekali saja"));
    let before =
        evaluation_answer::Entity::find().filter(evaluation_answer::Column::SessionId.eq(0)).count(app.state.db.read());
    let before = before.await.unwrap();
    let sends = (0..20).map(|_| c.post(app.url("/evaluasi/kirim")).form(&fields).send());
    for r in futures_util::future::join_all(sends).await {
        assert_eq!(r.unwrap().status(), 303, "every send gets its answer");
    }
    let db = app.state.db.read();
    let after = evaluation_answer::Entity::find().filter(evaluation_answer::Column::SessionId.eq(0)).count(db);
    assert_eq!(after.await.unwrap(), before + 1, "one answer however many sends raced");
    let responded = evaluation_responder::Entity::find().filter(evaluation_responder::Column::PersonId.eq(me));
    assert_eq!(responded.count(db).await.unwrap(), 1);
    let drafts = evaluation_draft::Entity::find().filter(evaluation_draft::Column::PersonId.eq(me)).count(db);
    assert_eq!(drafts.await.unwrap(), 0, "no draft naming the author outlives the send");
});
