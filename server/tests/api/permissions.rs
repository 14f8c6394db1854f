//! The permission matrix: who may see which participants, on the page and through the server
//! function behind it. Scopes keep one Dinas from seeing another's people.

use crate::db_test;
use crate::helpers::staff;
use crate::helpers::TestApp;
use domain::entities::{person, province, regency};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

async fn signed_in(app: &TestApp, login: &str, password: &str) -> reqwest::Client {
    let client = app.browser();
    let r = app.sign_in(&client, login, password).await;
    assert_eq!(r.headers()["location"], "/akun", "{login} signs in");
    client
}

/// (status of GET /peserta, people listed, status of the server function)
async fn probe(app: &TestApp, client: &reqwest::Client) -> (u16, usize, u16) {
    let page = client.get(app.url("/peserta?hal=1")).send().await.unwrap();
    let status = page.status().as_u16();
    let html = page.text().await.unwrap();
    let mut listed = html.matches(r#"class="person""#).count();
    // Count every page, not only the first 50.
    if status == 200 {
        let total: usize = html
            .split(r#"data-testid="people-count""#)
            .nth(1)
            .and_then(|s| s.split(" dari ").nth(1))
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(listed);
        listed = total;
    }
    let call = client.post(app.url("/api/peserta")).form(&[("page", "1")]).send().await.unwrap();
    (status, listed, call.status().as_u16())
}

db_test!(each_role_sees_exactly_the_participants_of_its_region, |app| {
    app.seed_demo().await;
    let kab = crate::helpers::kabupaten_malang(&app).await;
    let jatim = province::Entity::find().one(app.state.db.read()).await.unwrap().unwrap().id;
    let kota = regency::Entity::find()
        .filter(regency::Column::Code.eq("3573"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap()
        .id;
    let panitia_kab = staff(&app, "panitia.kab@uji.test", types::Role::Panitia, None, Some(kab)).await;
    let panitia_prov = staff(&app, "panitia.jatim@uji.test", types::Role::Panitia, Some(jatim), None).await;
    let pejabat_kota = staff(&app, "pejabat.kota@uji.test", types::Role::Pejabat, None, Some(kota)).await;

    let anonymous = app.browser();
    let r = anonymous.get(app.url("/peserta")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/masuk?ke=/peserta"));
    assert_eq!(
        anonymous.post(app.url("/api/peserta")).form(&[("page", "1")]).send().await.unwrap().status().as_u16(),
        401
    );

    let cases: Vec<(&str, &str, (u16, usize, u16))> = vec![
        ("081234560001", "demo-peserta-kkmp", (403, 0, 403)),
        (&pejabat_kota, "sandi-uji-coba", (403, 0, 403)),
        ("panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp", (200, 114, 200)),
        (&panitia_kab, "sandi-uji-coba", (200, 1, 200)),
        (&panitia_prov, "sandi-uji-coba", (200, 115, 200)),
        ("admin@demo.diklat-kkmp.test", "demo-admin-kkmp", (200, 115, 200)),
    ];
    for (login, password, expected) in cases {
        let client = signed_in(&app, login, password).await;
        assert_eq!(probe(&app, &client).await, expected, "{login}");
    }
});

db_test!(the_people_list_searches_by_name_nik_and_phone_and_pages_by_fifty, |app| {
    app.seed_demo().await;
    let client = signed_in(&app, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    let count = |html: &str| html.matches(r#"class="person""#).count();
    let first = client.get(app.url("/peserta")).send().await.unwrap().text().await.unwrap();
    assert_eq!(count(&first), 50);
    assert!(first.contains("1–50 dari 114 peserta"));
    let third = client.get(app.url("/peserta?hal=3")).send().await.unwrap().text().await.unwrap();
    assert_eq!(count(&third), 14);
    let by_phone = client.get(app.url("/peserta?q=0812-3456-0001")).send().await.unwrap().text().await.unwrap();
    assert_eq!(count(&by_phone), 1);
    let by_nik = client.get(app.url("/peserta?q=3573")).send().await.unwrap().text().await.unwrap();
    assert!(by_nik.contains("dari 114 peserta"));
    let by_name = client.get(app.url("/peserta?q=AGUS")).send().await.unwrap().text().await.unwrap();
    assert!(count(&by_name) >= 1 && by_name.contains("Agus"));
    assert!(!by_name.contains("3573010"), "NIKs are masked in the list");
    let none = client.get(app.url("/peserta?q=%25")).send().await.unwrap().text().await.unwrap();
    assert_eq!(count(&none), 0, "a % is searched literally");
});

/// Grants `role` to the account of the demo participant with `phone` (a participant who is also
/// staff, as a ketua KKMP who is made panitia or admin).
async fn grant_to_participant(
    app: &TestApp,
    phone: &str,
    role: &str,
    province_id: Option<i32>,
    regency_id: Option<i32>,
) -> i32 {
    use domain::entities::{account, role_grant};
    let db = app.state.db.write();
    let p = person::Entity::find().filter(person::Column::Phone.eq(phone)).one(db).await.unwrap().unwrap();
    let a = account::Entity::find().filter(account::Column::PersonId.eq(p.id)).one(db).await.unwrap().unwrap();
    role_grant::ActiveModel {
        account_id: Set(a.id),
        role: Set(role.parse().unwrap()),
        province_id: Set(province_id),
        regency_id: Set(regency_id),
        granted_at: Set(chrono::Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    app.state.auth_changed();
    p.id
}

/// (status of issuing a reset code, of an edit, of a deactivation) for person `id`, and whether
/// anything about them changed.
async fn try_take_over(app: &TestApp, caller: &reqwest::Client, id: i32) -> (u16, u16, u16, bool) {
    use domain::entities::{account, one_time_code};
    use sea_orm::PaginatorTrait;
    let before = person::Entity::find_by_id(id).one(app.state.db.read()).await.unwrap().unwrap();
    let code = caller.post(app.url("/kode/buat")).form(&[("orang", id.to_string())]).send().await.unwrap();
    let edit = caller
        .post(app.url("/peserta/ubah"))
        .form(&[
            ("id", id.to_string()),
            ("nama", "Diambil Alih".into()),
            ("nik", before.nik.clone().unwrap_or_default()),
            ("no_hp", "081399990000".into()),
            ("email", String::new()),
            ("jabatan", "Ketua".into()),
        ])
        .send()
        .await
        .unwrap();
    let status = caller
        .post(app.url("/peserta/status"))
        .form(&[("id", id.to_string()), ("jadi", "nonaktif".into()), ("yakin", "1".into())])
        .send()
        .await
        .unwrap();
    let after = person::Entity::find_by_id(id).one(app.state.db.read()).await.unwrap().unwrap();
    let a = account::Entity::find()
        .filter(account::Column::PersonId.eq(id))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let codes = one_time_code::Entity::find()
        .filter(one_time_code::Column::AccountId.eq(a.id))
        .count(app.state.db.read())
        .await
        .unwrap();
    let changed = after.full_name != before.full_name || after.phone != before.phone || !a.is_active || codes > 0;
    (code.status().as_u16(), edit.status().as_u16(), status.status().as_u16(), changed)
}

db_test!(a_kota_panitia_cannot_reset_edit_or_deactivate_a_participant_who_is_also_an_admin, |app| {
    app.seed_demo().await;
    let panitia = signed_in(&app, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    // The second demo participant (Kota Malang) is also a national admin.
    let admin_too = grant_to_participant(&app, "+6281234560002", "admin", None, None).await;
    let (code, edit, status, changed) = try_take_over(&app, &panitia, admin_too).await;
    assert_eq!((code, edit, status), (403, 403, 403));
    assert!(!changed, "no code, no edit, still active");
    let page = panitia.get(app.url(&format!("/peserta/{admin_too}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-testid="protected""#), "the page says why there is no form");
    assert!(!page.contains(r#"action="/peserta/ubah""#));

    // A plain participant beside them is still the panitia's to manage.
    let plain = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560003"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let (code, edit, status, changed) = try_take_over(&app, &panitia, plain.id).await;
    assert_eq!((code, edit, status), (303, 303, 303));
    assert!(changed);
});

db_test!(an_admin_manages_only_accounts_whose_every_role_lies_inside_the_admins_region, |app| {
    app.seed_demo().await;
    let malang = regency::Entity::find()
        .filter(regency::Column::Code.eq("3573"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let kota_admin = staff(&app, "admin-kota@uji.test", types::Role::Admin, None, Some(malang.id)).await;
    let kota_admin = signed_in(&app, &kota_admin, "sandi-uji-coba").await;
    // A participant who is also panitia of the whole province: wider than a kota admin.
    let wide = grant_to_participant(&app, "+6281234560004", "panitia", Some(malang.province_id), None).await;
    let (code, edit, status, changed) = try_take_over(&app, &kota_admin, wide).await;
    assert_eq!((code, edit, status), (403, 403, 403));
    assert!(!changed);
    // One who is pejabat of the same kota: inside the admin's region.
    let inside = grant_to_participant(&app, "+6281234560005", "pejabat", None, Some(malang.id)).await;
    let (code, edit, status, changed) = try_take_over(&app, &kota_admin, inside).await;
    assert_eq!((code, edit, status), (303, 303, 303));
    assert!(changed);
    // A national admin may manage the provincial one.
    let national = signed_in(&app, "admin@demo.diklat-kkmp.test", "demo-admin-kkmp").await;
    let (code, edit, status, changed) = try_take_over(&app, &national, wide).await;
    assert_eq!((code, edit, status), (303, 303, 303));
    assert!(changed);
});
