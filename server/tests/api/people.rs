//! Editing and deactivating participants; the audit log that records it, for admin only.

use crate::db_test;
use crate::helpers::TestApp;
use domain::entities::person;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

async fn signed_in(app: &TestApp, login: &str, password: &str) -> reqwest::Client {
    let client = app.browser();
    app.sign_in(&client, login, password).await;
    client
}

fn flash(html: &str) -> String {
    let Some(start) = html.find(r#"data-testid="flash""#) else { return String::new() };
    let rest = &html[start..];
    rest[rest.find('>').unwrap() + 1..].split('<').next().unwrap().to_string()
}

db_test!(panitia_edit_a_participant_seeing_the_whole_nik_only_there, |app| {
    app.seed_demo().await;
    let staff = signed_in(&app, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    let p = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560003"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let nik = p.nik.clone().unwrap();
    let page = staff.get(app.url(&format!("/peserta/{}", p.id))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(&nik), "the edit form shows the whole NIK");
    let list = staff.get(app.url("/peserta?q=081234560003")).send().await.unwrap().text().await.unwrap();
    assert!(!list.contains(&nik), "the list does not");

    let post = |fields: Vec<(&'static str, String)>| {
        let staff = staff.clone();
        let url = app.url("/peserta/ubah");
        async move { staff.post(url).form(&fields).send().await.unwrap() }
    };
    let base = |nik: &str| {
        vec![
            ("id", p.id.to_string()),
            ("nama", "Nama Baru Sekali".to_string()),
            ("nik", nik.to_string()),
            ("no_hp", "0812 3456 0003".to_string()),
            ("email", "".to_string()),
            ("jabatan", "Bendahara".to_string()),
        ]
    };
    post(base("123")).await;
    let page = staff.get(app.url(&format!("/peserta/{}", p.id))).send().await.unwrap().text().await.unwrap();
    assert!(flash(&page).starts_with("NIK harus 16 angka"), "{}", flash(&page));
    let other_nik = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560004"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap()
        .nik
        .unwrap();
    post(base(&other_nik)).await;
    let page = staff.get(app.url(&format!("/peserta/{}", p.id))).send().await.unwrap().text().await.unwrap();
    assert!(flash(&page).contains("sudah dipakai peserta lain"), "{}", flash(&page));
    post(base(&nik)).await;
    let page = staff.get(app.url(&format!("/peserta/{}", p.id))).send().await.unwrap().text().await.unwrap();
    assert_eq!(flash(&page), "Data peserta tersimpan.");
    let saved = person::Entity::find_by_id(p.id).one(app.state.db.read()).await.unwrap().unwrap();
    assert_eq!((saved.full_name.as_str(), saved.position.map(|j| j.code())), ("Nama Baru Sekali", Some("bendahara")));
});

db_test!(deactivation_needs_a_confirmation_and_ends_sign_in_but_keeps_the_person, |app| {
    app.seed_demo().await;
    let participant = signed_in(&app, "081234560001", "demo-peserta-kkmp").await;
    let staff = signed_in(&app, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    let p = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560001"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let id = p.id.to_string();
    staff.post(app.url("/peserta/status")).form(&[("id", id.as_str()), ("jadi", "nonaktif")]).send().await.unwrap();
    let page = staff.get(app.url(&format!("/peserta/{id}"))).send().await.unwrap().text().await.unwrap();
    assert_eq!(flash(&page), "Centang konfirmasi untuk menonaktifkan akun ini.");
    assert_eq!(participant.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 200);

    staff
        .post(app.url("/peserta/status"))
        .form(&[("id", id.as_str()), ("jadi", "nonaktif"), ("yakin", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(participant.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 303, "their session ended");
    let again = app.sign_in(&app.browser(), "081234560001", "demo-peserta-kkmp").await;
    assert_ne!(again.headers()["location"], "/akun", "a deactivated account cannot sign in");
    assert!(person::Entity::find_by_id(p.id).one(app.state.db.read()).await.unwrap().is_some(), "never deleted");

    staff.post(app.url("/peserta/status")).form(&[("id", id.as_str()), ("jadi", "aktif")]).send().await.unwrap();
    assert_eq!(app.sign_in(&app.browser(), "081234560001", "demo-peserta-kkmp").await.headers()["location"], "/akun");
});

db_test!(the_audit_log_records_sensitive_actions_and_only_admin_reads_it, |app| {
    app.seed_demo().await;
    let staff = signed_in(&app, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    let p = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560006"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    staff
        .post(app.url("/peserta/status"))
        .form(&[("id", p.id.to_string()), ("jadi", "nonaktif".into()), ("yakin", "1".into())])
        .send()
        .await
        .unwrap();
    staff.post(app.url("/kode/buat")).form(&[("orang", p.id.to_string())]).send().await.unwrap();
    assert_eq!(staff.get(app.url("/audit")).send().await.unwrap().status().as_u16(), 403);

    let admin = signed_in(&app, "admin@demo.diklat-kkmp.test", "demo-admin-kkmp").await;
    let log = admin.get(app.url("/audit")).send().await.unwrap().text().await.unwrap();
    for action in ["people.deactivate", "auth.first_login_code", "auth.login", "demo.seed"] {
        assert!(log.contains(action), "{action} is in the audit log");
    }
    let only_people = admin.get(app.url("/audit?aksi=people.")).send().await.unwrap().text().await.unwrap();
    assert_eq!(only_people.matches(r#"class="audit-line""#).count(), 1);
});

db_test!(panitia_add_one_participant_with_the_importers_checks_and_find_them_by_kelurahan, |app| {
    app.seed_demo().await;
    let staff = signed_in(&app, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    let form = |nik: &'static str| {
        vec![
            ("nama", "Lilis Suryani"),
            ("nik", nik),
            ("no_hp", "0813 2222 0001"),
            ("email", ""),
            ("kelurahan", "Tlogomas"),
            ("kecamatan", ""),
            ("jabatan", "Bendahara"),
        ]
    };
    let r = staff.post(app.url("/peserta/tambah")).form(&form("12345")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/peserta/baru");
    let page = staff.get(app.url("/peserta/baru")).send().await.unwrap().text().await.unwrap();
    assert!(flash(&page).starts_with("nik: NIK harus 16 angka"), "{}", flash(&page));
    let r = staff.post(app.url("/peserta/tambah")).form(&form("3573055505900001")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/peserta?q=3573055505900001");
    let list = staff.get(app.url("/peserta?q=tlogomas")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Lilis Suryani") && list.contains("dari 3 peserta"), "two demo participants and the new one");
});

// Moodle CVE-2023-23923: one user changed another user's data. Here a peserta, and a panitia of
// another kabupaten/kota, post the edit and deactivation forms with someone else's id.
db_test!(nobody_changes_a_participant_outside_their_role_or_region, |app| {
    app.seed_demo().await;
    let target = person::Entity::find()
        .filter(person::Column::Phone.eq("+6281234560003"))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let elsewhere = crate::helpers::kabupaten_malang(&app).await;
    let other_panitia =
        crate::helpers::staff(&app, "panitia@kabupaten.test", types::Role::Panitia, None, Some(elsewhere)).await;
    let peserta = signed_in(&app, "081234560001", "demo-peserta-kkmp").await;
    let outsider = signed_in(&app, &other_panitia, "sandi-uji-coba").await;

    let id = target.id.to_string();
    for (who, client) in [("a peserta", &peserta), ("a panitia of another kab/kota", &outsider)] {
        let edit = client
            .post(app.url("/peserta/ubah"))
            .form(&[
                ("id", id.as_str()),
                ("nama", "Diganti Orang Lain"),
                ("nik", target.nik.as_deref().unwrap()),
                ("no_hp", "081299998888"),
                ("email", ""),
                ("jabatan", "Ketua"),
            ])
            .send()
            .await
            .unwrap();
        assert!(edit.status().is_client_error() || edit.status().is_redirection(), "{who}: {}", edit.status());
        let status = client
            .post(app.url("/peserta/status"))
            .form(&[("id", id.as_str()), ("jadi", "nonaktif"), ("yakin", "1")])
            .send()
            .await
            .unwrap();
        assert!(status.status().is_client_error() || status.status().is_redirection(), "{who}: {}", status.status());
        let page = client.get(app.url(&format!("/peserta/{id}"))).send().await.unwrap();
        let page = page.text().await.unwrap();
        assert!(!page.contains(target.nik.as_deref().unwrap()), "{who} does not see the NIK on the edit page");
        let now = person::Entity::find_by_id(target.id).one(app.state.db.read()).await.unwrap().unwrap();
        assert_eq!(now, target, "{who} changed nothing");
        let account = domain::entities::account::Entity::find()
            .filter(domain::entities::account::Column::PersonId.eq(target.id))
            .one(app.state.db.read())
            .await
            .unwrap();
        assert!(account.expect("the target has an account").is_active, "{who} did not deactivate the account");
    }
});
