//! The officials' reports: aggregates checked against a fixture computed by hand, the
//! drill-down to people, the exports read back by real readers, and who may see what.
//!
//! The fixture (one diklat "LAP-1" in Kota Malang, two sessions, the five quiz modules):
//!
//! | person | KKMP (kelurahan, kecamatan) | jabatan | attendance | post-tests | certificate |
//! |---|---|---|---|---|---|
//! | a1 | Klojen, Klojen | ketua | 2/2 | all 80, pre 50 | valid |
//! | a2 | Klojen, Klojen | ketua_pengawas | 2/2 | all 90 | valid |
//! | b1 | Samaan, Klojen | bendahara | 2/2 | all 90 | **revoked** |
//! | b2 | Samaan, Klojen | anggota_pengawas | 2/2 | all 90, pre 70 | valid |
//! | c1 | Ciptomulyo, Sukun | sekretaris | enrolled after session 1, 1/1 | 4 of 5 taken (90) | — |
//! | c2 | Ciptomulyo, Sukun | ketua_pengawas | 1/2 | all 90 | — |
//!
//! So in Kota Malang: 6 enrolled, 5 with attendance met (not c2), 5 with every post-test passed
//! (not c1), 4 meeting the rule, 3 certified (b1's revoked certificate does not count); KKMP
//! Klojen is ready, Samaan partly (only its pengawas certified), Ciptomulyo not; 57 KKMP.

use crate::db_test;
use crate::helpers::TestApp;
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use domain::{
    demo::LOGINS,
    entities::{attendance, cooperative, diklat, diklat_session, district, enrolment, person, village},
    services::{
        certificates,
        quizzes::Phase,
        report::{self, Area, Filter, Jabatan},
        schedule::wib_instant,
    },
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

struct Fixture {
    diklat: diklat::Model,
    regency_id: i32,
    klojen: district::Model,
    sukun: district::Model,
    village_klojen: village::Model,
    /// (name, person id)
    people: Vec<(&'static str, i32)>,
}

impl Fixture {
    fn id(&self, name: &str) -> i32 {
        self.people.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

async fn village_named(app: &TestApp, district_id: i32, name: &str) -> (village::Model, i32) {
    let v = village::Entity::find()
        .filter(village::Column::DistrictId.eq(district_id))
        .filter(village::Column::Name.eq(name))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let k = cooperative::Entity::find().filter(cooperative::Column::VillageId.eq(v.id)).one(app.state.db.read()).await;
    let k = k.unwrap().unwrap();
    (v, k.id)
}

async fn district_named(app: &TestApp, name: &str) -> district::Model {
    district::Entity::find().filter(district::Column::Name.eq(name)).one(app.state.db.read()).await.unwrap().unwrap()
}

/// The demo (for its accounts and Kota Malang's people) and the fixture beside it.
async fn fixture(app: &TestApp) -> Fixture {
    app.seed_demo().await;
    let db = app.state.db.write();
    let klojen = district_named(app, "Klojen").await;
    let sukun = district_named(app, "Sukun").await;
    let (village_klojen, kkmp_a) = village_named(app, klojen.id, "Klojen").await;
    let (_, kkmp_b) = village_named(app, klojen.id, "Samaan").await;
    let (_, kkmp_c) = village_named(app, sukun.id, "Ciptomulyo").await;
    let regency_id = klojen.regency_id;
    let day1 = NaiveDate::from_ymd_opt(2026, 10, 5).unwrap();
    let day2 = day1 + Duration::days(1);
    let now = Utc::now();
    let d = diklat::ActiveModel {
        code: Set("LAP-1".into()),
        name: Set("Diklat Laporan".into()),
        venue: Set("Balai Kota".into()),
        starts_on: Set(day1),
        ends_on: Set(day2),
        total_jp: Set(8),
        status: Set("finished".parse().unwrap()),
        regency_id: Set(Some(regency_id)),
        min_attendance_pct: Set(80),
        require_pretests: Set(false),
        certificate_prefix: Set("LAP".into()),
        next_certificate_seq: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        present_statuses: Set("H,T".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
    let mut sessions = Vec::new();
    for (i, day) in [day1, day2].into_iter().enumerate() {
        let s = diklat_session::ActiveModel {
            diklat_id: Set(d.id),
            session_date: Set(day),
            starts_at: Set(eight),
            ends_at: Set(ten),
            title: Set(format!("Sesi {}", i + 1)),
            room: Set("Aula".into()),
            jp: Set(4),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        sessions.push(s.id);
    }
    let early = wib_instant(day1, eight) - Duration::days(7);
    let late = wib_instant(day1, NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    // (name, KKMP, jabatan, enrolled at, sessions attended)
    let plan: [(&str, i32, types::Jabatan, _, &[usize]); 6] = [
        ("a1", kkmp_a, types::Jabatan::Ketua, early, &[0, 1]),
        ("a2", kkmp_a, types::Jabatan::KetuaPengawas, early, &[0, 1]),
        ("b1", kkmp_b, types::Jabatan::Bendahara, early, &[0, 1]),
        ("b2", kkmp_b, types::Jabatan::AnggotaPengawas, early, &[0, 1]),
        ("c1", kkmp_c, types::Jabatan::Sekretaris, late, &[1]),
        ("c2", kkmp_c, types::Jabatan::KetuaPengawas, early, &[1]),
    ];
    let mut people = Vec::new();
    for (i, (name, kkmp, position, enrolled_at, attended)) in plan.into_iter().enumerate() {
        let p = person::ActiveModel {
            full_name: Set(format!("Peserta Laporan {}", name.to_uppercase())),
            nik: Set(Some(format!("35730199000000{i:02}"))),
            phone: Set(Some(format!("08129900000{i}"))),
            cooperative_id: Set(Some(kkmp)),
            position: Set(Some(position)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        enrolment::ActiveModel {
            diklat_id: Set(d.id),
            person_id: Set(p.id),
            status: Set("enrolled".parse().unwrap()),
            enrolled_at: Set(enrolled_at),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for s in attended {
            attendance::ActiveModel {
                diklat_session_id: Set(sessions[*s]),
                person_id: Set(p.id),
                status: Set("H".parse().unwrap()),
                source: Set(types::MarkSource::Panitia),
                marked_at: Set(now),
                version: Set(1),
                ..Default::default()
            }
            .insert(db)
            .await
            .unwrap();
        }
        people.push((name, p.id));
    }
    // The fixture's rule lists the first five modules with tests (its sessions name none).
    let modules: Vec<(i32, String)> = app.state.quiz_modules().into_iter().take(5).collect();
    assert_eq!(modules.len(), 5, "the content has at least five modules with tests");
    for (i, (module_id, _)) in modules.iter().enumerate() {
        domain::entities::diklat_module::ActiveModel {
            diklat_id: Set(d.id),
            module_id: Set(*module_id),
            post_test_required: Set(true),
            sort_order: Set(i as i32),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    let fixture = Fixture { diklat: d.clone(), regency_id, klojen, sukun, village_klojen, people };
    for (name, id) in &fixture.people {
        for (m, (module_id, _)) in modules.iter().enumerate() {
            if *name == "c1" && m == 4 {
                continue;
            }
            app.took(&d, *module_id, Phase::Post, *id, if *name == "a1" { 80.0 } else { 90.0 }).await;
            match *name {
                "a1" => app.took(&d, *module_id, Phase::Pre, *id, 50.0).await,
                "b2" => app.took(&d, *module_id, Phase::Pre, *id, 70.0).await,
                _ => {}
            }
        }
    }
    let issued = certificates::issue_eligible(
        app.state.db.read(),
        app.state.db.write(),
        &app.state.certificate_key,
        &d,
        &modules,
        None,
        None,
    )
    .await
    .unwrap();
    assert_eq!(issued.len(), 4, "a1, a2, b1, b2 meet the rule");
    let b1 = issued.iter().find(|c| c.person_id == fixture.id("b1")).unwrap();
    certificates::revoke(
        app.state.db.write(),
        &[domain::auth::Scope::National],
        admin_account(app).await,
        b1.id,
        "Data jabatan keliru, diterbitkan ulang kemudian.",
        Utc::now(),
    )
    .await
    .unwrap();
    // The rows above were written straight to the tables; a service would have marked the diklat.
    domain::services::stale::mark_stale(app.state.db.write(), d.id).await.unwrap();
    refresh(app).await;
    fixture
}

/// The demo admin's account id.
async fn admin_account(app: &TestApp) -> i32 {
    let admin = person::Entity::find()
        .filter(person::Column::Email.eq(LOGINS[0].login))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    domain::entities::account::Entity::find()
        .filter(domain::entities::account::Column::PersonId.eq(admin.id))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn refresh(app: &TestApp) {
    report::refresh_stale(app.state.db.read(), app.state.db.write(), &app.state.quiz_modules(), None).await.unwrap();
}

/// The demo's Kota Malang pejabat, signed in.
async fn pejabat(app: &TestApp) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, LOGINS[2].login, LOGINS[2].password).await;
    client
}

/// GET `path` as `client`: the status and the body.
async fn fetch(app: &TestApp, client: &reqwest::Client, path: String) -> (u16, Vec<u8>) {
    let r = client.get(app.url(&path)).send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

fn today() -> NaiveDate {
    domain::services::schedule::today_wib(Utc::now())
}

fn only(d: &diklat::Model) -> Filter {
    Filter { diklat_id: Some(d.id), ..Default::default() }
}

db_test!(coverage_matches_the_hand_computed_fixture, |app| {
    let f = fixture(&app).await;
    let db = app.state.db.read();
    let c = report::coverage(db, Area::Regency(f.regency_id), &only(&f.diklat), today()).await.unwrap();
    let t = &c.total;
    assert_eq!(
        (t.enrolled, t.attended, t.passed, t.eligible, t.certified),
        (6, 5, 5, 4, 3),
        "enrolled, attendance met (the late enrolee counts from the session after enrolment), post-tests, rule, certified (not the revoked)"
    );
    assert_eq!((t.kkmp, t.kkmp_ready, t.kkmp_partial, t.kkmp_none()), (57, 1, 1, 55));
    assert_eq!(c.rows.len(), 5, "Kota Malang's five kecamatan, trained or not");
    let row = |name: &str| c.rows.iter().find(|r| r.name == name).unwrap().counts.clone();
    let k = row("Klojen");
    assert_eq!((k.enrolled, k.attended, k.passed, k.eligible, k.certified), (4, 4, 4, 4, 3));
    assert_eq!((k.kkmp, k.kkmp_ready, k.kkmp_partial), (11, 1, 1), "Samaan: only its pengawas is certified");
    let s = row("Sukun");
    assert_eq!((s.enrolled, s.attended, s.passed, s.eligible, s.certified), (2, 1, 1, 0, 0));
    assert_eq!((s.kkmp, s.kkmp_ready, s.kkmp_partial), (11, 0, 0));
    assert_eq!(row("Blimbing").enrolled, 0);

    // Down a level: the kelurahan of Klojen; Samaan partly ready.
    let c = report::coverage(db, Area::District(f.klojen.id), &only(&f.diklat), today()).await.unwrap();
    assert_eq!(c.rows.len(), 11);
    let samaan = c.rows.iter().find(|r| r.name == "Samaan").unwrap();
    assert_eq!((samaan.counts.kkmp, samaan.counts.kkmp_ready, samaan.counts.kkmp_partial), (1, 0, 1));
    assert_eq!(samaan.counts.certified, 1);

    // Jabatan: the pengawas only (a2, b2, c2); readiness still looks at both sides.
    let pengawas = Filter { jabatan: Some(Jabatan::Pengawas), ..only(&f.diklat) };
    let c = report::coverage(db, Area::Regency(f.regency_id), &pengawas, today()).await.unwrap();
    assert_eq!((c.total.enrolled, c.total.certified, c.total.kkmp_ready), (3, 2, 1));

    // Restoring nothing: revoking a2 as well makes Klojen partly ready at once (certificates are read live).
    let a2 = certificates::of_person(db, f.id("a2")).await.unwrap().remove(0);
    let admin = admin_account(&app).await;
    certificates::revoke(
        app.state.db.write(),
        &[domain::auth::Scope::National],
        admin,
        a2.id,
        "Tidak memenuhi syarat.",
        Utc::now(),
    )
    .await
    .unwrap();
    let c = report::coverage(db, Area::Regency(f.regency_id), &only(&f.diklat), today()).await.unwrap();
    assert_eq!((c.total.certified, c.total.kkmp_ready, c.total.kkmp_partial), (2, 0, 2));
});

db_test!(learning_means_match_the_fixture, |app| {
    let f = fixture(&app).await;
    let db = app.state.db.read();
    let modules = app.state.quiz_modules();
    let rows = report::learning_per_module(db, Area::Regency(f.regency_id), &only(&f.diklat)).await.unwrap();
    assert_eq!(rows.len(), 5);
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-9;
    for r in &rows {
        let last = r.id == modules[4].0;
        // Posts: a1 80, the others 90 (c1 did not take the last module).
        let expected = if last { 440.0 / 5.0 } else { 530.0 / 6.0 };
        assert!(close(r.post, expected), "module {}: {:?}", r.id, r.post);
        assert!(close(r.pre, 60.0), "pre-tests: a1 50, b2 70");
        assert!(close(r.gain, 25.0), "gain: a1 +30, b2 +20");
        assert_eq!(r.takers, if last { 5 } else { 6 });
    }
    let by_district = report::learning_per_child(db, Area::Regency(f.regency_id), &only(&f.diklat)).await.unwrap();
    let klojen = by_district.iter().find(|r| r.id == f.klojen.id).unwrap();
    assert!(close(klojen.post, 87.5), "(5×80 + 15×90) / 20");
    let sukun = by_district.iter().find(|r| r.id == f.sukun.id).unwrap();
    assert!(close(sukun.post, 90.0));
    assert_eq!(sukun.pre, None);
});

db_test!(a_change_through_the_services_reaches_the_report, |app| {
    let f = fixture(&app).await;
    // c2 was absent from session 1; a panitia corrects it to H through the attendance service.
    let session1 = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(f.diklat.id))
        .filter(diklat_session::Column::Title.eq("Sesi 1"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let caller = domain::auth::Caller {
        account_id: admin_account(&app).await,
        person_id: 1,
        name: "Panitia".into(),
        grants: vec![domain::auth::Grant { role: domain::auth::Role::Admin, scope: domain::auth::Scope::National }],
    };
    let mark = domain::services::attendance::Mark {
        person_id: f.id("c2"),
        status: domain::services::attendance::Status::Hadir,
        note: None,
        reason: None,
        seen_version: Some(None),
    };
    domain::services::attendance::save_marks(
        app.state.db.write(),
        &caller,
        &[domain::auth::Scope::National],
        session1.id,
        vec![mark],
        domain::services::attendance::Source::Panitia,
    )
    .await
    .unwrap();
    refresh(&app).await;
    let c =
        report::coverage(app.state.db.read(), Area::Regency(f.regency_id), &only(&f.diklat), today()).await.unwrap();
    assert_eq!((c.total.attended, c.total.eligible), (6, 5), "c2 now meets the rule");
});

db_test!(a_pejabat_drills_down_to_the_people_of_a_kkmp, |app| {
    let f = fixture(&app).await;
    let pejabat = pejabat(&app).await;
    let get = |path: String| {
        let response = fetch(&app, &pejabat, path);
        async move {
            let (status, body) = response.await;
            (status, String::from_utf8(body).unwrap().replace("<!>", ""))
        }
    };
    // Kota Malang opens at its kecamatan, each a link one level down.
    let (status, page) = get(format!("/laporan?diklat={}", f.diklat.id)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Cakupan per kecamatan"));
    assert!(
        page.contains(&format!("href=\"/laporan?diklat={}&amp;wilayah={}\"", f.diklat.id, f.klojen.code)),
        "{page}"
    );
    assert!(page.contains("<svg") && page.contains("<desc id=\"chart-desc\">"), "the chart has a text alternative");
    // The kelurahan Klojen: its KKMP's people, with attendance, grades and certificate.
    let (status, page) = get(format!("/laporan?diklat={}&wilayah={}", f.diklat.id, f.village_klojen.code)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Peserta Laporan A1") && page.contains("Peserta Laporan A2"));
    assert!(!page.contains("Peserta Laporan B1"), "Samaan's people are not in Klojen");
    let a1 = certificates::of_person(app.state.db.read(), f.id("a1")).await.unwrap().remove(0);
    assert!(page.contains(&a1.number), "the certificate number is shown");
    assert!(page.contains("2/2 (100%)"));
    assert!(!page.contains("3573019900000"), "no NIK");
    assert!(!page.contains("0812990000"), "no phone");
    // The Kota Malang figures are cached; a revocation drops them, so it shows at once.
    let certified = |page: &str| {
        let at = page.find(r#"data-testid="certified""#).expect("the certified figure");
        let from = at + page[at..].find("<strong>").unwrap() + "<strong>".len();
        page[from..from + page[from..].find("</strong>").unwrap()].to_string()
    };
    let (_, page) = get(format!("/laporan?diklat={}", f.diklat.id)).await;
    assert_eq!(certified(&page), "3");
    certificates::revoke(
        app.state.db.write(),
        &[domain::auth::Scope::National],
        admin_account(&app).await,
        a1.id,
        "Salah nama pemegang.",
        Utc::now(),
    )
    .await
    .unwrap();
    app.state.certificates_changed();
    let (_, page) = get(format!("/laporan?diklat={}", f.diklat.id)).await;
    assert_eq!(certified(&page), "2", "after the revocation");
    // A status filter and a name search, kept in the URL.
    let (_, page) = get(format!("/laporan?diklat={}&status=bersertifikat&q=laporan%20b", f.diklat.id)).await;
    assert!(page.contains("Peserta Laporan B2") && !page.contains("Peserta Laporan B1"), "b1's certificate is revoked");
    // Outside the pejabat's region, and a peserta: refused.
    let (status, _) = get("/laporan?wilayah=31".into()).await;
    assert_ne!(status, 200, "an unknown province");
    let peserta = app.browser();
    app.sign_in(&peserta, LOGINS[3].login, LOGINS[3].password).await;
    let r = peserta.get(app.url("/laporan")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = peserta.get(app.url("/laporan/ekspor/bersertifikat.csv")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = app.client.get(app.url("/laporan")).send().await.unwrap();
    assert_eq!(r.status(), 303, "signed out: to the sign-in page");
});

db_test!(the_exports_open_in_real_readers, |app| {
    let f = fixture(&app).await;
    let pejabat = pejabat(&app).await;
    let get = |path: String| {
        let response = fetch(&app, &pejabat, path.clone());
        async move {
            let (status, body) = response.await;
            assert_eq!(status, 200, "{path}");
            body
        }
    };
    // Certified list, CSV: BOM, header, the three valid certificates and nothing else.
    let csv = get(format!("/laporan/ekspor/bersertifikat.csv?diklat={}", f.diklat.id)).await;
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.headers().unwrap().get(0), Some("nomor_sertifikat"));
    let names: Vec<String> = reader.records().map(|r| r.unwrap()[3].to_string()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.iter().any(|n| n.ends_with("B1")), "the revoked certificate is not listed");
    // XLSX: one sheet per kecamatan of Kota Malang, the rows on their kecamatan's sheet.
    let xlsx = get(format!("/laporan/ekspor/bersertifikat.xlsx?diklat={}", f.diklat.id)).await;
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheets = book.sheet_names().to_vec();
    assert_eq!(sheets, vec!["Blimbing", "Kedungkandang", "Klojen", "Lowokwaru", "Sukun"]);
    let klojen = book.worksheet_range("Klojen").unwrap();
    let heading = domain::services::export::HEADING_ROWS as usize;
    assert_eq!(klojen.get((0, 0)).unwrap().to_string(), "Peserta bersertifikat Diklat KKMP");
    let scope = klojen.get((1, 0)).unwrap().to_string();
    assert!(scope.contains("Kota Malang") && scope.ends_with("Klojen"), "region and sheet: {scope}");
    assert!(klojen.get((2, 0)).unwrap().to_string().starts_with("Diekspor "), "the export time");
    assert_eq!(klojen.get((heading, 0)).unwrap().to_string(), "Nomor sertifikat", "headers a person reads");
    assert_eq!(klojen.height(), heading + 4, "heading, header and a1, a2, b2");
    for row in klojen.rows().skip(heading + 1) {
        assert!(
            row[10..12].iter().all(|c| matches!(c, calamine::Data::Empty | calamine::Data::Float(_))),
            "mean scores are numbers (or empty): {row:?}"
        );
    }
    assert_eq!(book.worksheet_range("Sukun").unwrap().height(), heading + 1, "only the heading and header");
    // Coverage, XLSX and CSV: a row per kecamatan and the total.
    let xlsx = get(format!("/laporan/ekspor/cakupan.xlsx?diklat={}", f.diklat.id)).await;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("Cakupan").unwrap();
    assert_eq!(range.height(), heading + 7);
    assert_eq!(range.get((heading, 6)).unwrap().to_string(), "Peserta (orang)", "people, each once");
    let range = range.range((heading as u32, 0), (range.end().unwrap().0, range.end().unwrap().1));
    let total: Vec<String> = (0..12).map(|c| range.get((6, c)).unwrap().to_string()).collect();
    assert_eq!(total[1], "Jumlah");
    assert_eq!(&total[2..5], &["57", "1", "1"], "KKMP, ready, partly");
    assert_eq!(total[10], "3", "certified");
    assert!(
        (2..5).chain([10]).all(|c| matches!(range.get((6, c)), Some(calamine::Data::Float(_)))),
        "counts are numbers a spreadsheet can sum: {:?}",
        range.rows().nth(6)
    );
    assert!(matches!(range.get((6, 1)), Some(calamine::Data::String(_))), "labels stay text");
    let csv = get(format!("/laporan/ekspor/cakupan.csv?diklat={}&wilayah={}", f.diklat.id, f.klojen.code)).await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 13, "header, 11 kelurahan, total");
    // A bad filter names its parameter.
    let r = pejabat.get(app.url("/laporan/ekspor/cakupan.csv?jabatan=ketua")).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Jabatan"));
});

db_test!(the_public_page_shows_kkmp_counts_and_no_names, |app| {
    let f = fixture(&app).await;
    let r = app.client.get(app.url("/capaian")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap().replace("<!>", "");
    assert!(page.contains("Capaian sertifikasi KKMP"));
    assert!(page.contains("Klojen") && page.contains("Sukun"), "the kecamatan of Kota Malang");
    assert!(!page.contains("Peserta Laporan"), "no names");
    let r = app.client.get(app.url(&format!("/capaian?wilayah={}", f.klojen.code))).send().await.unwrap();
    let page = r.text().await.unwrap().replace("<!>", "");
    assert!(page.contains("Samaan") && !page.contains("Peserta Laporan"));
    // Below the kelurahan there would be people: not public.
    let r = app.client.get(app.url(&format!("/capaian?wilayah={}", f.village_klojen.code))).send().await.unwrap();
    assert_eq!(r.status(), 404);
});

db_test!(the_generated_dataset_agrees_with_the_completion_rule, |app| {
    use domain::dataset::{generate, Scale};
    use domain::entities::{certificate, standing, standing_grade};
    use sea_orm::{PaginatorTrait, QueryOrder};
    let written = generate(&app.state, Scale::named("tiny").unwrap(), |_| {}).await.unwrap();
    assert_eq!(written.villages, 40, "2 provinces × 2 kab/kota × 2 kecamatan × 5 desa");
    assert!(written.people > 380 && written.certificates > 0 && written.certificates < written.people);
    let db = app.state.db.read();
    let rows = |db| async move {
        let s = standing::Entity::find()
            .order_by_asc(standing::Column::DiklatId)
            .order_by_asc(standing::Column::PersonId)
            .all(db)
            .await
            .unwrap();
        let g = standing_grade::Entity::find()
            .order_by_asc(standing_grade::Column::DiklatId)
            .order_by_asc(standing_grade::Column::PersonId)
            .order_by_asc(standing_grade::Column::ModuleId)
            .all(db)
            .await
            .unwrap();
        (s, g)
    };
    let generated = rows(db).await;
    assert_eq!(generated.0.len(), written.people);
    // What the rule computes from the generated rows is exactly what the generator wrote.
    domain::services::stale::mark_all_stale(app.state.db.write()).await.unwrap();
    refresh(&app).await;
    let computed = rows(db).await;
    assert!(generated == computed, "the generated standings differ from the computed ones");
    // One certificate per participant who meets the rule, each with a valid signature.
    let eligible = generated.0.iter().filter(|s| s.eligible).count();
    assert_eq!(certificate::Entity::find().count(db).await.unwrap() as usize, eligible);
    let c = certificate::Entity::find().one(db).await.unwrap().unwrap();
    assert!(domain::signing::verify(&app.state.certificate_key.public_b64(), c.payload.as_bytes(), &c.signature));
    // The national pejabat can sign in and sees every province.
    let pejabat = app.browser();
    app.sign_in(&pejabat, domain::dataset::PEJABAT_LOGIN, domain::dataset::PASSWORD).await;
    let page = pejabat.get(app.url("/laporan")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Cakupan per provinsi") && page.contains("Aceh") && page.contains("Sumatera Utara"));
});
