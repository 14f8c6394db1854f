//! One-time sign-in codes: issued by panitia, printed once, redeemed once by the right person.

use crate::db_test;
use crate::helpers::TestApp;
use domain::entities::{one_time_code, person};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn panitia(app: &TestApp) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    client
}

/// The codes shown on the printable page.
async fn printed_codes(app: &TestApp, client: &reqwest::Client) -> Vec<String> {
    let html = client.get(app.url("/peserta/kode")).send().await.unwrap().text().await.unwrap();
    html.split(r#"data-testid="otp""#)
        .skip(1)
        .map(|s| s[s.find('>').unwrap() + 1..].split('<').next().unwrap().to_string())
        .collect()
}

async fn person_by_phone(app: &TestApp, phone: &str) -> person::Model {
    person::Entity::find().filter(person::Column::Phone.eq(phone)).one(app.state.db.read()).await.unwrap().unwrap()
}

async fn redeem(app: &TestApp, client: &reqwest::Client, login: &str, code: &str, password: &str) -> String {
    let r = client
        .post(app.url("/auth/aktivasi"))
        .form(&[("login", login), ("kode", code), ("sandi_baru", password), ("sandi_ulang", password)])
        .send()
        .await
        .unwrap();
    r.headers()["location"].to_str().unwrap().to_string()
}

db_test!(a_participant_sets_their_password_with_a_code_once, |app| {
    app.seed_demo().await;
    let staff = panitia(&app).await;
    let siti = person_by_phone(&app, "+6281234560002").await;
    staff.post(app.url("/kode/buat")).form(&[("orang", siti.id.to_string())]).send().await.unwrap();
    let codes = printed_codes(&app, &staff).await;
    assert_eq!(codes.len(), 1);
    assert!(printed_codes(&app, &staff).await.is_empty(), "codes are shown once");

    let participant = app.browser();
    // The wrong person's number with a right code does nothing.
    assert!(redeem(&app, &participant, "081234560003", &codes[0], "koperasi kami maju").await.starts_with("/aktivasi"));
    // Lower case and without the dash is the same code.
    let typed = codes[0].to_lowercase().replace('-', "");
    assert_eq!(redeem(&app, &participant, "0812-3456-0002", &typed, "koperasi kami maju").await, "/akun");
    assert_eq!(participant.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 200, "signed in right away");
    let again = app.browser();
    assert!(
        redeem(&app, &again, "081234560002", &codes[0], "sandi lain yang panjang").await.starts_with("/aktivasi"),
        "a code works once"
    );
    assert_eq!(app.sign_in(&app.browser(), "081234560002", "koperasi kami maju").await.headers()["location"], "/akun");
});

db_test!(an_expired_code_is_refused, |app| {
    app.seed_demo().await;
    let staff = panitia(&app).await;
    let p = person_by_phone(&app, "+6281234560004").await;
    staff.post(app.url("/kode/buat")).form(&[("orang", p.id.to_string())]).send().await.unwrap();
    let code = printed_codes(&app, &staff).await.remove(0);
    one_time_code::Entity::update_many()
        .col_expr(
            one_time_code::Column::ExpiresAt,
            sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
        )
        .exec(app.state.db.write())
        .await
        .unwrap();
    assert!(redeem(&app, &app.browser(), "081234560004", &code, "koperasi kami maju").await.starts_with("/aktivasi"));
});

db_test!(codes_for_everyone_not_yet_activated_in_a_kecamatan, |app| {
    app.seed_demo().await;
    let staff = panitia(&app).await;
    let list = staff.get(app.url("/peserta")).send().await.unwrap().text().await.unwrap();
    let klojen = list
        .split("<option value=\"")
        .find(|o| o.contains("Klojen,"))
        .and_then(|o| o.split('"').next())
        .unwrap()
        .to_string();
    staff
        .post(app.url("/kode/buat"))
        .form(&[("semua", "1"), ("q", ""), ("kecamatan", klojen.as_str())])
        .send()
        .await
        .unwrap();
    // Klojen has 11 kelurahan, two participants each.
    assert_eq!(printed_codes(&app, &staff).await.len(), 22);
});

db_test!(a_reset_code_ends_the_participants_other_sessions, |app| {
    app.seed_demo().await;
    let phone_owner = app.browser();
    app.sign_in(&phone_owner, "081234560001", "demo-peserta-kkmp").await;
    assert_eq!(phone_owner.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 200);
    let staff = panitia(&app).await;
    let p = person_by_phone(&app, "+6281234560001").await;
    staff.post(app.url("/kode/buat")).form(&[("orang", p.id.to_string())]).send().await.unwrap();
    let html = staff.get(app.url("/peserta/kode")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("atur ulang sandi"));
    let code = html
        .split(r#"data-testid="otp""#)
        .nth(1)
        .map(|s| s[s.find('>').unwrap() + 1..].split('<').next().unwrap().to_string())
        .unwrap();
    assert_eq!(redeem(&app, &app.browser(), "081234560001", &code, "sandi baru yang panjang").await, "/akun");
    assert_eq!(phone_owner.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 303, "old sessions end");
});

db_test!(panitia_cannot_issue_codes_outside_their_region_and_peserta_not_at_all, |app| {
    app.seed_demo().await;
    let p = person_by_phone(&app, "+6281234560005").await;
    let peserta = app.browser();
    app.sign_in(&peserta, "081234560001", "demo-peserta-kkmp").await;
    let r = peserta.post(app.url("/kode/buat")).form(&[("orang", p.id.to_string())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // A panitia scoped to another province.
    use domain::entities::province;
    use sea_orm::{ActiveModelTrait, Set};
    let other = province::ActiveModel { code: Set("31".into()), name: Set("DKI Jakarta".into()), ..Default::default() }
        .insert(app.state.db.write())
        .await
        .unwrap();
    crate::helpers::staff(&app, "jkt@uji.test", types::Role::Panitia, Some(other.id), None).await;
    let jakarta = app.browser();
    app.sign_in(&jakarta, "jkt@uji.test", "sandi-uji-coba").await;
    let r = jakarta.post(app.url("/kode/buat")).form(&[("orang", p.id.to_string())]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(one_time_code::Entity::find().all(app.state.db.read()).await.unwrap().len(), 0);
});

db_test!(codes_waiting_for_the_code_sheet_cannot_be_read_from_the_database, |app| {
    use domain::entities::auth_session;
    app.seed_demo().await;
    let staff = panitia(&app).await;
    let siti = person_by_phone(&app, "+6281234560002").await;
    staff.post(app.url("/kode/buat")).form(&[("orang", siti.id.to_string())]).send().await.unwrap();
    // Before the sheet is opened, the session row holds the codes only sealed.
    let rows = auth_session::Entity::find().all(app.state.db.read()).await.unwrap();
    let stored: String = rows.iter().map(|r| r.data.clone()).collect();
    assert!(stored.contains("issued_codes_sealed"), "the codes wait in the session");
    let codes = printed_codes(&app, &staff).await;
    assert_eq!(codes.len(), 1);
    let bare = codes[0].replace('-', "");
    assert!(!stored.contains(&codes[0]) && !stored.contains(&bare), "the code is not readable at rest");
    // Shown once; the sealed copy is gone.
    assert!(printed_codes(&app, &staff).await.is_empty());
    assert_eq!(redeem(&app, &app.browser(), "081234560002", &codes[0], "sandi-baru-siti-2026").await, "/akun");
});
