//! Admin grants and revokes staff roles; every change is audited; nobody else may.

use crate::db_test;
use crate::helpers::TestApp;
use domain::entities::{regency, role_grant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

fn flash(html: &str) -> String {
    let Some(start) = html.find(r#"data-testid="flash""#) else { return String::new() };
    let rest = &html[start..];
    rest[rest.find('>').unwrap() + 1..].split('<').next().unwrap().to_string()
}

async fn admin(app: &TestApp) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, "admin@demo.diklat-kkmp.test", "demo-admin-kkmp").await;
    client
}

db_test!(an_admin_creates_a_panitia_who_activates_and_manages_their_region, |app| {
    app.seed_demo().await;
    let kota = regency::Entity::find()
        .filter(regency::Column::Code.eq("3573"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let admin = admin(&app).await;
    let wilayah = format!("kab:{}", kota.id);
    admin
        .post(app.url("/admin/peran"))
        .form(&[
            ("login", "staf.baru@diskopindag.test"),
            ("nama", "Staf Baru"),
            ("peran", "panitia"),
            ("wilayah", wilayah.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let page = admin.get(app.url("/admin/peran")).send().await.unwrap().text().await.unwrap();
    let message = flash(&page);
    let code = message.split(": ").nth(1).and_then(|s| s.split(' ').next()).unwrap_or_default().to_string();
    assert!(message.starts_with("Peran diberikan. Kode masuk sekali pakai") && code.len() == 9, "{message}");

    let staff = app.browser();
    let r = staff
        .post(app.url("/auth/aktivasi"))
        .form(&[
            ("login", "staf.baru@diskopindag.test"),
            ("kode", code.as_str()),
            ("sandi_baru", "diskopindag malang hebat"),
            ("sandi_ulang", "diskopindag malang hebat"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/akun");
    let list = staff.get(app.url("/peserta")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("dari 114 peserta"));

    // Revoking needs the confirmation box, then takes the access away.
    let grant = role_grant::Entity::find()
        .filter(role_grant::Column::Role.eq(types::Role::Panitia))
        .all(app.state.db.read())
        .await
        .unwrap();
    let id = grant.iter().map(|g| g.id).max().unwrap().to_string();
    admin.post(app.url("/admin/peran/cabut")).form(&[("id", id.as_str())]).send().await.unwrap();
    assert_eq!(
        flash(&admin.get(app.url("/admin/peran")).send().await.unwrap().text().await.unwrap()),
        "Centang konfirmasi untuk mencabut peran."
    );
    admin.post(app.url("/admin/peran/cabut")).form(&[("id", id.as_str()), ("yakin", "1")]).send().await.unwrap();
    assert_eq!(staff.get(app.url("/peserta")).send().await.unwrap().status().as_u16(), 403);
    let log = admin.get(app.url("/audit?aksi=roles.")).send().await.unwrap().text().await.unwrap();
    assert_eq!(log.matches(r#"class="audit-line""#).count(), 2, "grant and revoke are audited");
});

db_test!(an_admin_cannot_remove_their_own_last_admin_role_and_others_cannot_manage_roles, |app| {
    app.seed_demo().await;
    let admin = admin(&app).await;
    let own = role_grant::Entity::find()
        .filter(role_grant::Column::Role.eq(types::Role::Admin))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    admin
        .post(app.url("/admin/peran/cabut"))
        .form(&[("id", own.id.to_string()), ("yakin", "1".into())])
        .send()
        .await
        .unwrap();
    let page = admin.get(app.url("/admin/peran")).send().await.unwrap().text().await.unwrap();
    assert_eq!(flash(&page), "Anda tidak dapat mencabut peran admin terakhir Anda sendiri");

    let panitia = app.browser();
    app.sign_in(&panitia, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    assert_eq!(panitia.get(app.url("/admin/peran")).send().await.unwrap().status().as_u16(), 403);
    let r = panitia
        .post(app.url("/admin/peran"))
        .form(&[("login", "panitia@demo.diklat-kkmp.test"), ("peran", "admin"), ("wilayah", "nasional")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403, "nobody grants themselves admin");
});
