//! Scheduling and attendance over HTTP on both databases: conflicts, enrolment, the marking grid,
//! self check-in with rotating codes, attendance rates, paper imports, exports and calendar feeds.

use crate::db_test;
use crate::helpers::{flash_in, TestApp};
use chrono::{Duration, NaiveTime, Utc};
use domain::{
    demo::{CURRENT_CODE, LOGINS},
    entities::{attendance, attendance_history, checkin_window, diklat, diklat_session, enrolment, person},
    services::{attendance as att, schedule::today_wib},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};

const PANITIA: &domain::demo::DemoLogin = &LOGINS[1];
const PESERTA: &domain::demo::DemoLogin = &LOGINS[3];

async fn signed_in(app: &TestApp, who: &domain::demo::DemoLogin) -> reqwest::Client {
    let c = app.browser();
    let r = app.sign_in(&c, who.login, who.password).await;
    assert_eq!(r.headers()["location"], "/akun", "{} signs in", who.login);
    c
}

/// Posts a form and returns the flash message shown on the page it redirects to.
async fn post_flash(app: &TestApp, client: &reqwest::Client, path: &str, form: &[(&str, &str)]) -> String {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    assert_eq!(r.status(), 303, "{path} answers with a redirect");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let page = client.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    flash_in(&page)
}

async fn current_diklat(app: &TestApp) -> diklat::Model {
    app.diklat(CURRENT_CODE).await
}

async fn sessions_of(app: &TestApp, diklat_id: i32) -> Vec<diklat_session::Model> {
    diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(diklat_id))
        .order_by_asc(diklat_session::Column::Id)
        .all(app.state.db.read())
        .await
        .unwrap()
}

async fn peserta_id(app: &TestApp) -> i32 {
    app.demo_peserta_id().await
}

db_test!(overlapping_sessions_in_one_room_and_dates_outside_the_diklat_are_refused, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let d = current_diklat(&app).await;
    let id = d.id.to_string();
    let today = d.starts_on.to_string();
    let before = sessions_of(&app, d.id).await.len();
    let session = |date: &str, from: &str, to: &str, room: &str| {
        vec![
            ("diklat", id.clone()),
            ("tanggal", date.to_string()),
            ("mulai", from.to_string()),
            ("selesai", to.to_string()),
            ("judul", "Sesi uji".to_string()),
            ("ruang", room.to_string()),
            ("jp", "2".to_string()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let panitia = panitia.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_flash(app, &panitia, "/sesi/simpan", &form).await
        }
    };

    // The demo has "Aula Utama 2" busy 09:00–12:00 on the first day.
    let clash = send(session(&today, "10:00", "11:30", "aula utama 2")).await;
    assert!(clash.contains("Ruang aula utama 2 sudah dipakai") && clash.contains("09:00–12:00"), "{clash}");
    let outside = send(session("2020-01-01", "10:00", "11:00", "Ruang Uji")).await;
    assert!(outside.contains("Tanggal sesi harus di antara"), "{outside}");
    // Refused, the form comes back as typed, open, with the error beside the date.
    let r = panitia
        .post(app.url("/sesi/simpan"))
        .form(&session("2020-01-01", "10:00", "11:00", "Ruang Uji"))
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/diklat/{id}#form-sesi-baru"));
    let page = panitia.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    let form = &page[page.find(r#"id="form-sesi-baru""#).expect("the new-session form")..];
    let form = &form[..form.find("</form>").unwrap()];
    for typed in
        [r#"value="2020-01-01""#, r#"value="10:00""#, r#"value="11:00""#, r#"value="Ruang Uji""#, r#"value="Sesi uji""#]
    {
        assert!(form.contains(typed), "{typed} kept");
    }
    let date_label = &form[form.find(r#"name="tanggal""#).unwrap()..];
    assert!(
        date_label[..date_label.find("</label>").unwrap()].contains("Tanggal sesi harus di antara"),
        "the error is beside the date"
    );
    assert!(!page.contains(r#"data-testid="flash""#), "not repeated at the top of the page");
    let backwards = send(session(&today, "11:00", "10:00", "Ruang Uji")).await;
    assert!(backwards.contains("Jam selesai harus sesudah jam mulai"), "{backwards}");
    assert_eq!(sessions_of(&app, d.id).await.len(), before, "nothing was written");

    // Back to back in the same room is fine, and so is another room at the same time.
    assert_eq!(send(session(&today, "12:00", "13:00", "Aula Utama 2")).await, "Sesi ditambahkan.");
    assert_eq!(send(session(&today, "10:00", "11:00", "Ruang Uji")).await, "Sesi ditambahkan.");
    assert_eq!(sessions_of(&app, d.id).await.len(), before + 2);
});

db_test!(bulk_enrolment_by_kecamatan_and_jabatan_counts_the_kkmp_covered, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let created = post_flash(
        &app,
        &panitia,
        "/diklat/simpan",
        &[
            ("kode", "uji-01"),
            ("nama", "Diklat Uji"),
            ("tempat", "Balai Kota Malang"),
            ("mulai", "2026-12-01"),
            ("selesai", "2026-12-02"),
            ("jp", "16"),
            ("status", "open"),
            ("min_hadir", "80"),
            ("hadir_h", "on"),
            ("hadir_t", "on"),
        ],
    )
    .await;
    assert!(created.starts_with("Diklat dibuat"), "{created}");
    let d = diklat::Entity::find()
        .filter(diklat::Column::Code.eq("UJI-01"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let klojen = domain::entities::district::Entity::find()
        .filter(domain::entities::district::Column::Name.eq("Klojen"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let (id, kec) = (d.id.to_string(), klojen.id.to_string());
    let added =
        post_flash(&app, &panitia, "/diklat/daftarkan", &[("diklat", &id), ("kecamatan", &kec), ("jabatan", "")]).await;
    // Klojen has 11 kelurahan, two demo people each.
    assert_eq!(added, "22 peserta didaftarkan (yang sudah terdaftar dilewati).");
    let again = post_flash(&app, &panitia, "/diklat/daftarkan", &[("diklat", &id), ("kecamatan", &kec)]).await;
    assert!(again.starts_with("0 peserta"), "{again}");
    let page = panitia.get(app.url(&format!("/diklat/{id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("22 peserta terdaftar · 11 dari 57 KKMP terwakili"), "coverage shown");
    assert!(page.contains("Bareng (Klojen)"), "kelurahan can be chosen for bulk enrolment");
    // By jabatan across the city: every ketua not enrolled yet.
    let enrolled: Vec<i32> = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .all(app.state.db.read())
        .await
        .unwrap()
        .iter()
        .map(|e| e.person_id)
        .collect();
    let ketua_left = person::Entity::find()
        .filter(person::Column::Position.eq("ketua"))
        .filter(person::Column::Id.is_not_in(enrolled))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert!(ketua_left > 0);
    let by_position = post_flash(&app, &panitia, "/diklat/daftarkan", &[("diklat", &id), ("jabatan", "ketua")]).await;
    assert_eq!(by_position, format!("{ketua_left} peserta didaftarkan (yang sudah terdaftar dilewati)."));
    let nothing = post_flash(&app, &panitia, "/diklat/daftarkan", &[("diklat", &id)]).await;
    assert!(nothing.contains("Pilih kecamatan"), "{nothing}");
    let duplicate = post_flash(
        &app,
        &panitia,
        "/diklat/simpan",
        &[
            ("kode", "UJI-01"),
            ("nama", "Lagi"),
            ("tempat", "X"),
            ("mulai", "2026-12-01"),
            ("selesai", "2026-12-01"),
            ("jp", "1"),
            ("status", "draft"),
            ("min_hadir", "80"),
            ("hadir_h", "on"),
        ],
    )
    .await;
    assert!(duplicate.contains("Kode diklat ini sudah dipakai"), "{duplicate}");
});

/// Moves a session to a given WIB time range today, so lateness does not depend on the clock.
async fn move_session_today(app: &TestApp, s: &diklat_session::Model, from: (u32, u32), to: (u32, u32)) {
    let mut row = s.clone().into_active_model();
    row.session_date = Set(today_wib(Utc::now()));
    row.starts_at = Set(NaiveTime::from_hms_opt(from.0, from.1, 0).unwrap());
    row.ends_at = Set(NaiveTime::from_hms_opt(to.0, to.1, 0).unwrap());
    row.update(app.state.db.write()).await.unwrap();
}

async fn open_window(
    app: &TestApp,
    panitia: &reqwest::Client,
    session_id: i32,
    late_after: &str,
) -> checkin_window::Model {
    let sid = session_id.to_string();
    let r = panitia
        .post(app.url("/presensi/buka"))
        .form(&[("sesi", sid.as_str()), ("menit", "60"), ("terlambat", late_after)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], format!("/sesi/{session_id}/kode"));
    checkin_window::Entity::find()
        .filter(checkin_window::Column::DiklatSessionId.eq(session_id))
        .filter(checkin_window::Column::ClosedAt.is_null())
        .one(app.state.db.read())
        .await
        .unwrap()
        .expect("an open window")
}

async fn shift_opening(app: &TestApp, w: &checkin_window::Model, seconds_ago: i64) -> checkin_window::Model {
    let mut row = w.clone().into_active_model();
    row.opened_at = Set(Utc::now() - Duration::seconds(seconds_ago));
    row.update(app.state.db.write()).await.unwrap()
}

db_test!(self_check_in_accepts_only_a_live_code_of_its_own_session_once, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let peserta = signed_in(&app, PESERTA).await;
    let me = peserta_id(&app).await;
    let d = current_diklat(&app).await;
    let sessions = sessions_of(&app, d.id).await;
    let (early, late) = (&sessions[0], &sessions[1]);
    // One session that has not begun (check-in on time: H), one that began at midnight (T).
    move_session_today(&app, early, (23, 58), (23, 59)).await;
    move_session_today(&app, late, (0, 0), (0, 1)).await;
    let w_early = open_window(&app, &panitia, early.id, "15").await;
    let w_late = open_window(&app, &panitia, late.id, "0").await;
    let key = &app.state.data_key;
    let checkin = |session: Option<i32>, code: String| {
        let peserta = peserta.clone();
        let app = &app;
        async move {
            let s = session.map(|s| s.to_string()).unwrap_or_default();
            let mut form = vec![("kode", code.as_str())];
            if session.is_some() {
                form.push(("sesi", s.as_str()));
            }
            post_flash(app, &peserta, "/presensi/hadir", &form).await
        }
    };
    let now_code = |w: &checkin_window::Model| att::code_for(key, w, att::step_at(w, Utc::now()));

    // A code from another session's screen does not work for this one.
    let wrong = checkin(Some(early.id), now_code(&w_late)).await;
    assert!(wrong.contains("Kode salah atau sudah kedaluwarsa"), "{wrong}");
    // The live code, typed in lower case with a space.
    let code = now_code(&w_early).to_lowercase();
    let typed = format!("{} {}", &code[..3], &code[3..]);
    assert!(checkin(Some(early.id), typed).await.starts_with("Tercatat Hadir"));
    // Twice: one record, a friendly answer.
    assert!(checkin(None, now_code(&w_early)).await.starts_with("Anda sudah tercatat Hadir"));
    let rows = attendance::Entity::find()
        .filter(attendance::Column::PersonId.eq(me))
        .filter(attendance::Column::DiklatSessionId.eq(early.id))
        .all(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].status.code(), rows[0].source.code()), ("H", "checkin"));

    // After the late threshold: T. The code alone finds its session.
    assert!(checkin(None, now_code(&w_late)).await.starts_with("Tercatat Terlambat"), "late threshold");

    // Rotation edge: a new window accepts a code for a minute after it changed on the screen (a
    // slow typist took 47 s)…
    assert_eq!(w_early.grace_seconds, att::GRACE_SECONDS);
    let stale = att::code_for(key, &w_early, 0);
    let w = shift_opening(&app, &w_early, 47).await;
    assert!(att::code_matches(key, &w, &stale, Utc::now()));
    let w = shift_opening(&app, &w, 85).await;
    assert!(att::code_matches(key, &w, &stale, Utc::now()), "55 s after it rotated away");
    // …but 95 s after opening (65 s past the rotation) it is refused: a code cannot be replayed later.
    let w = shift_opening(&app, &w, 95).await;
    attendance::Entity::delete_many()
        .filter(attendance::Column::PersonId.eq(me))
        .exec(app.state.db.write())
        .await
        .unwrap();
    let replay = checkin(Some(early.id), stale.clone()).await;
    assert!(replay.contains("Kode salah atau sudah kedaluwarsa"), "{replay}");
    assert!(checkin(Some(early.id), now_code(&w)).await.starts_with("Tercatat"));

    // Closed check-in is refused with a message.
    let sid = late.id.to_string();
    post_flash(&app, &panitia, "/presensi/tutup", &[("sesi", &sid)]).await;
    let closed = checkin(Some(late.id), now_code(&w_late)).await;
    assert!(closed.contains("sedang ditutup"), "{closed}");
    // Malformed codes get their own message naming what is wrong; nothing reveals a password or
    // a person.
    let short = checkin(None, "AC3D".into()).await;
    assert!(short.contains("6 karakter; yang Anda ketik 4 karakter"), "{short}");
    let lookalike = checkin(None, "AC0D4E".into()).await;
    assert!(lookalike.starts_with("Karakter \"0\" tidak ada dalam kode presensi"), "{lookalike}");
    // A refused code goes back into the field as typed, with the session the QR link named.
    let r = peserta
        .post(app.url("/presensi/hadir"))
        .form(&[("kode", "ac3 d4e"), ("sesi", &early.id.to_string())])
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, format!("/presensi?sesi={}&kode=ac3%20d4e", early.id));
    let page = peserta.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"name="kode" value="ac3 d4e""#), "the field keeps the code");
});

db_test!(check_in_is_refused_to_people_not_enrolled_and_repeated_guessing_is_stopped, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let peserta = signed_in(&app, PESERTA).await;
    let me = peserta_id(&app).await;
    let d = current_diklat(&app).await;
    let s = &sessions_of(&app, d.id).await[0];
    move_session_today(&app, s, (23, 58), (23, 59)).await;
    let w = open_window(&app, &panitia, s.id, "15").await;
    enrolment::Entity::delete_many()
        .filter(enrolment::Column::PersonId.eq(me))
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .exec(app.state.db.write())
        .await
        .unwrap();
    let code = att::code_for(&app.state.data_key, &w, att::step_at(&w, Utc::now()));
    let refused = post_flash(&app, &peserta, "/presensi/hadir", &[("kode", &code)]).await;
    assert!(refused.contains("tidak terdaftar"), "{refused}");
    for _ in 0..10 {
        post_flash(&app, &peserta, "/presensi/hadir", &[("kode", "XXXXXX")]).await;
    }
    let stopped = post_flash(&app, &peserta, "/presensi/hadir", &[("kode", &code)]).await;
    assert!(stopped.contains("Terlalu banyak kode salah"), "{stopped}");
});

db_test!(a_burst_of_wrong_check_in_codes_gets_ten_checks_and_the_live_code_waits_after_it, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let peserta = signed_in(&app, PESERTA).await;
    let d = current_diklat(&app).await;
    let s = &sessions_of(&app, d.id).await[0];
    move_session_today(&app, s, (23, 58), (23, 59)).await;
    let w = open_window(&app, &panitia, s.id, "15").await;
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let peserta = peserta.clone();
            let url = app.url("/presensi/hadir");
            tokio::spawn(async move {
                peserta.post(url).form(&[("kode", format!("Z{i:05}"))]).send().await.unwrap().status().as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 303);
    }
    // The wrong codes counted in the database: ten at most were checked, and the key is locked.
    let row = domain::entities::login_throttle::Entity::find_by_id(format!("presensi:{}", {
        let me = peserta_id(&app).await;
        domain::entities::account::Entity::find()
            .filter(domain::entities::account::Column::PersonId.eq(me))
            .one(app.state.db.read())
            .await
            .unwrap()
            .unwrap()
            .id
    }))
    .one(app.state.db.read())
    .await
    .unwrap()
    .expect("the check-in limit is counted in the database");
    assert!(row.locked_until.is_some_and(|u| u > Utc::now()), "locked after ten wrong codes: {row:?}");
    let code = att::code_for(&app.state.data_key, &w, att::step_at(&w, Utc::now()));
    let stopped = post_flash(&app, &peserta, "/presensi/hadir", &[("kode", &code)]).await;
    assert!(stopped.contains("Terlalu banyak kode salah"), "{stopped}");
    let marked = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.eq(s.id))
        .filter(attendance::Column::Source.eq("checkin"))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(marked, 0);
});

db_test!(a_peserta_can_neither_mark_others_nor_open_check_in_nor_see_the_grid, |app| {
    app.seed_demo().await;
    let peserta = signed_in(&app, PESERTA).await;
    let d = current_diklat(&app).await;
    let s = &sessions_of(&app, d.id).await[0];
    let sid = s.id.to_string();
    let other = (peserta_id(&app).await + 1).to_string();
    for (path, form) in [
        ("/presensi/simpan", vec![("sesi", sid.as_str()), (&format!("s{other}"), "H")]),
        ("/presensi/buka", vec![("sesi", sid.as_str())]),
        ("/presensi/semua-hadir", vec![("sesi", sid.as_str())]),
    ] {
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, *v)).collect();
        let r = peserta.post(app.url(path)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
    }
    assert_eq!(
        attendance::Entity::find()
            .filter(attendance::Column::DiklatSessionId.eq(s.id))
            .count(app.state.db.read())
            .await
            .unwrap(),
        0
    );
    let grid = peserta.get(app.url(&format!("/sesi/{}", s.id))).send().await.unwrap();
    assert_eq!(grid.status(), 403);
    let export = peserta.get(app.url(&format!("/unduh/sesi/presensi-sesi-{}.csv", s.id))).send().await.unwrap();
    assert_eq!(export.status(), 403);
});

db_test!(the_grid_saves_changed_rows_keeps_history_and_refuses_stale_overwrites, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let d = current_diklat(&app).await;
    let s = &sessions_of(&app, d.id).await[0];
    let sid = s.id.to_string();
    let people: Vec<i32> = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .order_by_asc(enrolment::Column::PersonId)
        .all(app.state.db.read())
        .await
        .unwrap()
        .iter()
        .map(|e| e.person_id)
        .collect();
    let (a, b) = (people[0].to_string(), people[1].to_string());

    // "Semua hadir" first, then the exceptions.
    let all = post_flash(&app, &panitia, "/presensi/semua-hadir", &[("sesi", &sid)]).await;
    assert!(all.starts_with(&format!("{} peserta", people.len())), "{all}");
    let form = |status: &str, reason: &str, version: &str| {
        vec![
            ("sesi".to_string(), sid.clone()),
            (format!("s{a}"), status.to_string()),
            (format!("c{a}"), String::new()),
            (format!("r{a}"), reason.to_string()),
            (format!("v{a}"), version.to_string()),
            (format!("o{a}"), "H||".to_string()),
            // An untouched row, as shown: not saved, not a conflict.
            (format!("s{b}"), "H".to_string()),
            (format!("v{b}"), "1".to_string()),
            (format!("o{b}"), "H||".to_string()),
        ]
    };
    let send = |f: Vec<(String, String)>| {
        let panitia = panitia.clone();
        let app = &app;
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            post_flash(app, &panitia, "/presensi/simpan", &f).await
        }
    };
    assert_eq!(send(form("S", "Demam", "1")).await, "1 presensi tersimpan.");
    let row = attendance::Entity::find()
        .filter(attendance::Column::PersonId.eq(people[0]))
        .filter(attendance::Column::DiklatSessionId.eq(s.id))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.status.code(), row.reason.as_deref(), row.version), ("S", Some("Demam"), 2));
    let history = attendance_history::Entity::find()
        .filter(attendance_history::Column::AttendanceId.eq(row.id))
        .all(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(history.len(), 1, "the replaced H is kept");
    assert_eq!(history[0].status.code(), "H");

    // Someone who loaded the grid before that change cannot overwrite it.
    let stale = send(form("I", "Urusan keluarga", "1")).await;
    assert!(stale.contains("sudah diubah orang lain"), "{stale}");
    let row = attendance::Entity::find_by_id(row.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!(row.status.code(), "S");
    let page = panitia.get(app.url(&format!("/sesi/{}", s.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Sebelumnya: H (Panitia, "), "the grid shows earlier values and where they came from");
    // In English the marks and their sources read in English too.
    panitia.get(app.url("/bahasa/en?ke=%2F")).send().await.unwrap();
    let page = panitia.get(app.url(&format!("/sesi/{}", s.id))).send().await.unwrap().text().await.unwrap();
    let page = page.replace("<!>", "");
    assert!(page.contains("Earlier: H (Organiser, "), "the source's English label");
    assert!(page.contains("Sick (S)") && !page.contains("Sakit (S)"), "the counts' English labels");
    panitia.get(app.url("/bahasa/id?ke=%2F")).send().await.unwrap();
    let audits = domain::entities::audit_log::Entity::find()
        .filter(domain::entities::audit_log::Column::Action.eq("attendance.mark"))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(audits as usize, people.len() + 1, "every mark and change is audited");
});

db_test!(attendance_rate_counts_only_sessions_held_since_enrolment, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let d = current_diklat(&app).await;
    // Make every demo session of this diklat lie in the past, one per day from 10 days ago.
    let sessions = sessions_of(&app, d.id).await;
    let start = today_wib(Utc::now()) - Duration::days(10);
    let mut row = d.clone().into_active_model();
    row.starts_on = Set(start);
    row.update(app.state.db.write()).await.unwrap();
    for (i, s) in sessions.iter().enumerate().take(3) {
        let mut row = s.clone().into_active_model();
        row.session_date = Set(start + Duration::days(i as i64));
        row.update(app.state.db.write()).await.unwrap();
    }
    for s in sessions.iter().skip(3) {
        diklat_session::Entity::delete_by_id(s.id).exec(app.state.db.write()).await.unwrap();
    }
    let people: Vec<enrolment::Model> = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .order_by_asc(enrolment::Column::PersonId)
        .all(app.state.db.read())
        .await
        .unwrap();
    let (early, late) = (&people[0], &people[1]);
    // `late` joined after the first session had been held.
    let mut row = late.clone().into_active_model();
    row.enrolled_at = Set(domain::services::schedule::wib_instant(
        start + Duration::days(1),
        NaiveTime::from_hms_opt(6, 0, 0).unwrap(),
    ));
    row.update(app.state.db.write()).await.unwrap();
    let marks = [(early.person_id, ["H", "T", "A"]), (late.person_id, ["", "H", "I"])];
    for (person, statuses) in marks {
        for (s, status) in sessions.iter().zip(statuses) {
            if status.is_empty() {
                continue;
            }
            let (sid, key) = (s.id.to_string(), format!("s{person}"));
            let f = [("sesi", sid.as_str()), (key.as_str(), status)];
            assert_eq!(post_flash(&app, &panitia, "/presensi/simpan", &f).await, "1 presensi tersimpan.");
        }
    }
    let csv = panitia.get(app.url(&format!("/unduh/diklat/kehadiran-diklat-{}.csv", d.id))).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let body = csv.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'), "a BOM for spreadsheet programs");
    // early: H, T, A over 3 held → 2 present (H and T count) = 66 %.
    let line = body_line(&body, &name_of(&app, early.person_id).await);
    assert!(line.ends_with(",3,2,66,belum"), "{line}");
    // late: the first session predates the enrolment → 2 held, H and I → 1 present = 50 %.
    let line = body_line(&body, &name_of(&app, late.person_id).await);
    assert!(line.ends_with(",2,1,50,belum"), "{line}");
});

async fn name_of(app: &TestApp, id: i32) -> String {
    person::Entity::find_by_id(id).one(app.state.db.read()).await.unwrap().unwrap().full_name
}

fn body_line(body: &str, name: &str) -> String {
    body.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in export")).to_string()
}

db_test!(paper_marks_import_all_or_nothing_and_exports_open_in_a_spreadsheet_reader, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, PANITIA).await;
    let d = current_diklat(&app).await;
    let s = &sessions_of(&app, d.id).await[0];
    let niks: Vec<String> = person::Entity::find()
        .filter(person::Column::Nik.is_not_null())
        .order_by_asc(person::Column::Id)
        .all(app.state.db.read())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|p| p.nik)
        .take(3)
        .collect();
    let upload = |csv: String| {
        let panitia = panitia.clone();
        let app = &app;
        let sid = s.id.to_string();
        async move {
            let form = reqwest::multipart::Form::new()
                .text("sesi", sid)
                .part("berkas", reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("kertas.csv"));
            let r = panitia.post(app.url("/presensi/impor")).multipart(form).send().await.unwrap();
            let to = r.headers()["location"].to_str().unwrap().to_string();
            flash_in(&panitia.get(app.url(&to)).send().await.unwrap().text().await.unwrap())
        }
    };
    let bad = upload(format!("nik,status,catatan\n{},H,\n{},X,\n9999999999999999,H,\n", niks[0], niks[1])).await;
    assert!(
        bad.contains("Tidak ada yang disimpan") && bad.contains("kertas.csv:3") && bad.contains("kertas.csv:4"),
        "{bad}"
    );
    assert_eq!(
        attendance::Entity::find()
            .filter(attendance::Column::DiklatSessionId.eq(s.id))
            .count(app.state.db.read())
            .await
            .unwrap(),
        0
    );
    let good =
        upload(format!("\u{feff}nik;status;alasan\n{};H;\n{};S;Demam\n{};T;\n", niks[0], niks[1], niks[2])).await;
    assert_eq!(good, "kertas.csv: 3 presensi tersimpan, 0 tidak berubah.");

    let xlsx = panitia.get(app.url(&format!("/unduh/sesi/presensi-sesi-{}.xlsx", s.id))).send().await.unwrap();
    assert_eq!(xlsx.status(), 200);
    let bytes = xlsx.bytes().await.unwrap();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Presensi").unwrap();
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(rows[0][0].starts_with("Presensi sesi: "), "{:?}", rows[0]);
    let rows = &rows[domain::services::export::HEADING_ROWS as usize..];
    assert_eq!(rows[0][0], "Nama");
    assert_eq!(rows.len(), 1 + 114);
    let sources: std::collections::BTreeSet<&str> =
        rows.iter().skip(1).map(|r| r[8].as_str()).filter(|s| !s.is_empty()).collect();
    assert!(sources.iter().all(|s| s.chars().next().unwrap().is_uppercase()), "sources as labels: {sources:?}");
    let jabatan: std::collections::BTreeSet<&str> = rows.iter().skip(1).map(|r| r[1].as_str()).collect();
    assert!(jabatan.contains("Ketua") && !jabatan.contains("ketua"), "labels, as the reports show: {jabatan:?}");
    let statuses: Vec<&str> = rows.iter().skip(1).map(|r| r[5].as_str()).filter(|s| !s.is_empty()).collect();
    assert_eq!(statuses.len(), 3);
    assert!(statuses.contains(&"S"));
});

db_test!(calendar_feeds_are_valid_icalendar_in_jakarta_time_and_the_personal_one_needs_its_token, |app| {
    app.seed_demo().await;
    let d = current_diklat(&app).await;
    let sessions = sessions_of(&app, d.id).await;
    let r = app.get(&format!("/kalender/diklat/{}.ics", d.id)).await;
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let text = r.text().await.unwrap();
    assert!(text.lines().all(|l| l.len() <= 76), "lines fold at 75 octets");
    let unfolded = icalendar::parser::unfold(&text);
    let cal = icalendar::parser::read_calendar(&unfolded).expect("a valid calendar");
    let events: Vec<_> = cal.components.iter().filter(|c| c.name == "VEVENT").collect();
    assert_eq!(events.len(), sessions.len());
    assert!(cal.components.iter().any(|c| c.name == "VTIMEZONE"));
    let first = events[0];
    let start = first.properties.iter().find(|p| p.name == "DTSTART").unwrap();
    assert_eq!(
        start.params.iter().find(|p| p.key == "TZID").and_then(|p| p.val.as_ref()).map(|v| v.as_str()),
        Some("Asia/Jakarta")
    );
    assert_eq!(start.val.as_str(), format!("{}T080000", sessions[0].session_date.format("%Y%m%d")));
    for required in ["UID", "DTSTAMP", "SUMMARY", "DTEND", "LOCATION"] {
        assert!(first.properties.iter().any(|p| p.name == required), "{required}");
    }

    let me = peserta_id(&app).await;
    let token = domain::services::schedule::feed_token(&app.state.data_key, me);
    let mine = app.get(&format!("/kalender/peserta/{me}-{token}.ics")).await;
    assert_eq!(mine.status(), 200);
    let mine = icalendar::parser::unfold(&mine.text().await.unwrap());
    let events =
        icalendar::parser::read_calendar(&mine).unwrap().components.iter().filter(|c| c.name == "VEVENT").count();
    assert_eq!(events, 2 * sessions.len(), "both demo diklat");
    let forged = app.get(&format!("/kalender/peserta/{}-{token}.ics", me + 1)).await;
    assert_eq!(forged.status(), 404, "another person's feed needs their own token");
});
