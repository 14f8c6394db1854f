//! The permission matrix: who may see which participants, on the page and through the server
//! function behind it. Scopes keep one Dinas from seeing another's people.

use crate::db_test;
use crate::helpers::staff;
use crate::helpers::TestApp;
use domain::entities::{cooperative, district, person, province, regency, village};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// A second kabupaten (Kabupaten Malang) with one KKMP and one participant.
async fn add_kabupaten_malang(app: &TestApp) -> i32 {
    let db = app.state.db.write();
    let now = chrono::Utc::now();
    let jatim = province::Entity::find().filter(province::Column::Code.eq("35")).one(db).await.unwrap().unwrap();
    let kab = regency::ActiveModel {
        province_id: Set(jatim.id),
        code: Set("3507".into()),
        name: Set("Kabupaten Malang".into()),
        kind: Set("kabupaten".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let d = district::ActiveModel {
        regency_id: Set(kab.id),
        code: Set("3507010".into()),
        name: Set("Donomulyo".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let v = village::ActiveModel {
        district_id: Set(d.id),
        code: Set("3507010001".into()),
        name: Set("Tulungrejo".into()),
        kind: Set("desa".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let c = cooperative::ActiveModel {
        village_id: Set(v.id),
        name: Set("Koperasi Desa Merah Putih Tulungrejo".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    person::ActiveModel {
        full_name: Set("Warga Kabupaten".into()),
        nik: Set(Some("3507010101900001".into())),
        phone: Set(Some("+6281299990001".into())),
        cooperative_id: Set(Some(c.id)),
        position: Set(Some("ketua".into())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    kab.id
}

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
    let kab = add_kabupaten_malang(&app).await;
    let jatim = province::Entity::find().one(app.state.db.read()).await.unwrap().unwrap().id;
    let kota = regency::Entity::find()
        .filter(regency::Column::Code.eq("3573"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap()
        .id;
    let panitia_kab = staff(&app, "panitia.kab@uji.test", "panitia", None, Some(kab)).await;
    let panitia_prov = staff(&app, "panitia.jatim@uji.test", "panitia", Some(jatim), None).await;
    let pejabat_kota = staff(&app, "pejabat.kota@uji.test", "pejabat", None, Some(kota)).await;

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
