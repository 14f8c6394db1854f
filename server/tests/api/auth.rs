use crate::db_test;
use crate::helpers::TestApp;
use domain::demo::LOGINS;

const PESERTA_PHONE: &str = "081234560001";
const PESERTA_PASSWORD: &str = "demo-peserta-kkmp";

fn location(r: &reqwest::Response) -> String {
    r.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default()
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("diklat_sesi="))
}

async fn flash_on(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let html = client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
    let Some(start) = html.find(r#"data-testid="flash""#) else { return String::new() };
    let rest = &html[start..];
    let text = &rest[rest.find('>').map_or(0, |i| i + 1)..];
    text.split('<').next().unwrap_or("").to_string()
}

db_test!(a_participant_signs_in_with_a_phone_number_in_any_form_and_sees_their_own_account, |app| {
    app.seed_demo().await;
    for form in ["0812-3456-0001", "+6281234560001", "62 812 3456 0001"] {
        let client = app.browser();
        let r = app.sign_in(&client, form, PESERTA_PASSWORD).await;
        assert_eq!((r.status().as_u16(), location(&r)), (303, "/akun".to_string()), "{form}");
        let page = client.get(app.url("/akun")).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("3573••••••••0001"), "the NIK is shown masked");
        assert!(html.contains("Koperasi Kelurahan Merah Putih"));
        assert!(!html.contains("35730"), "the whole NIK never reaches the page");
    }
});

db_test!(staff_sign_in_with_their_email_in_any_case, |app| {
    app.seed_demo().await;
    let panitia = LOGINS.iter().find(|l| l.role == types::Role::Panitia).unwrap();
    let client = app.browser();
    let r = app.sign_in(&client, &panitia.login.to_uppercase(), panitia.password).await;
    assert_eq!(location(&r), "/akun");
    let html = client.get(app.url("/akun")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Panitia") && html.contains("Kota Malang"), "the role shows its scope");
});

db_test!(a_wrong_password_and_an_unknown_account_get_the_same_answer, |app| {
    app.seed_demo().await;
    let (a, b) = (app.browser(), app.browser());
    let wrong = app.sign_in(&a, PESERTA_PHONE, "bukan-sandinya").await;
    let unknown = app.sign_in(&b, "089999999999", "bukan-sandinya").await;
    assert_eq!(location(&wrong), location(&unknown));
    let (m1, m2) = (flash_on(&app, &a, "/masuk").await, flash_on(&app, &b, "/masuk").await);
    assert_eq!(m1, "Nomor HP/email atau kata sandi salah.");
    assert_eq!(m1, m2);
    assert_eq!(a.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 303);
});

db_test!(every_refused_sign_in_runs_one_argon2_verification_so_timing_reveals_no_account, |app| {
    // A known account with a wrong password, an unknown phone, an unknown e-mail, a deactivated
    // account: each costs exactly one Argon2 verification (a dummy hash when there is no usable
    // account), so none answers faster than the others.
    use domain::entities::{account, person};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
    app.seed_demo().await;
    let p = person::Entity::find().filter(person::Column::Phone.eq("+6281234560002")).one(app.state.db.read()).await;
    let a = account::Entity::find()
        .filter(account::Column::PersonId.eq(p.unwrap().unwrap().id))
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let mut inactive = a.into_active_model();
    inactive.is_active = Set(false);
    inactive.update(app.state.db.write()).await.unwrap();
    app.state.auth_changed();
    for (what, login) in [
        ("a wrong password", PESERTA_PHONE),
        ("an unknown phone", "089999999999"),
        ("an unknown e-mail", "tidak-ada@contoh.test"),
        ("a deactivated account", "081234560002"),
    ] {
        let before = app.state.hasher.verifications();
        let r = app.sign_in(&app.browser(), login, "bukan-sandinya-sama-sekali").await;
        assert!(location(&r).starts_with("/masuk"), "{what} is refused: {}", location(&r));
        assert_eq!(app.state.hasher.verifications() - before, 1, "{what}: one Argon2 verification");
    }
});

db_test!(the_session_cookie_is_httponly_lax_and_replaced_at_sign_in, |app| {
    app.seed_demo().await;
    let client = app.browser();
    let before =
        session_cookie(&app.sign_in(&client, PESERTA_PHONE, "salah-salah").await).expect("a session for the flash");
    let after = session_cookie(&app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await).expect("a session cookie");
    assert!(after.contains("HttpOnly") && after.contains("SameSite=Lax") && after.contains("Path=/"), "{after}");
    assert!(!after.contains("Secure"), "not over plain http");
    let id = |c: &str| c.split(';').next().unwrap().to_string();
    assert_ne!(id(&before), id(&after), "a new session id at sign-in");
});

db_test!(signing_out_ends_the_session_on_the_server, |app| {
    app.seed_demo().await;
    let client = app.browser();
    let cookie = session_cookie(&app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let r = client.post(app.url("/auth/keluar")).send().await.unwrap();
    assert_eq!(location(&r), "/");
    // Replaying the old cookie from another client does not get back in.
    let r = app.client.get(app.url("/akun")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/masuk?ke=/akun".to_string()));
});

db_test!(a_session_survives_a_server_restart, |app| {
    app.seed_demo().await;
    let client = app.browser();
    let cookie = session_cookie(&app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await).unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let second = app.restarted().await;
    let r = app.client.get(format!("http://{second}/akun")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
});

db_test!(five_wrong_passwords_lock_the_account_for_fifteen_minutes, |app| {
    app.seed_demo().await;
    let client = app.browser();
    for _ in 0..4 {
        app.sign_in(&client, PESERTA_PHONE, "tebakan-salah").await;
        assert_eq!(flash_on(&app, &client, "/masuk").await, "Nomor HP/email atau kata sandi salah.");
    }
    app.sign_in(&client, PESERTA_PHONE, "tebakan-salah").await;
    assert_eq!(flash_on(&app, &client, "/masuk").await, "Terlalu banyak percobaan masuk. Coba lagi dalam 15 menit.");
    // Even the right password is refused while locked.
    let r = app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await;
    assert_ne!(location(&r), "/akun");
    // Another account from another address is not affected... (same test address: below its limit).
    let other = app.browser();
    let panitia = LOGINS.iter().find(|l| l.role == types::Role::Panitia).unwrap();
    assert_eq!(location(&app.sign_in(&other, panitia.login, panitia.password).await), "/akun");
});

// ASVS 16.3.1: failed sign-ins reach the audit table too — with the client's address, the
// account aimed at and the login masked — and stop being written once the account is locked, so
// guessing cannot fill the table.
db_test!(failed_sign_ins_are_audited_with_the_client_address_until_the_account_locks, |app| {
    use domain::entities::{account, audit_log, person};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    app.seed_demo().await;
    let db = app.state.db.read();
    let client = app.browser();
    for _ in 0..7 {
        app.sign_in(&client, PESERTA_PHONE, "tebakan-salah").await;
    }
    let person =
        person::Entity::find().filter(person::Column::Phone.eq("+6281234560001")).one(db).await.unwrap().unwrap();
    let account =
        account::Entity::find().filter(account::Column::PersonId.eq(person.id)).one(db).await.unwrap().unwrap();
    let lines = |action: &'static str| {
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq(action))
            .order_by_asc(audit_log::Column::Id)
            .all(db)
    };
    let failed = lines("auth.login_failed").await.unwrap();
    assert_eq!(failed.len(), 5, "the five failures up to the lock, none while it is locked");
    for line in &failed {
        assert_eq!(line.ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(line.actor_account_id, None);
        assert_eq!(line.entity_id, Some(account.id.to_string()));
        assert_eq!(line.detail.as_deref(), Some(r#"{"login":"…0001"}"#), "the phone's last four digits only");
    }

    let admin = app.browser();
    let r = app.sign_in(&admin, "admin@demo.diklat-kkmp.test", "demo-admin-kkmp").await;
    assert_eq!(location(&r), "/akun");
    let signed_in = lines("auth.login").await.unwrap();
    assert_eq!(signed_in.last().unwrap().ip.as_deref(), Some("127.0.0.1"), "a success carries the address too");
    let page = admin.get(app.url("/audit?aksi=auth.login_failed")).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches(r#"class="audit-line""#).count(), 5);
    assert!(page.contains("tamu (belum masuk)") && page.contains("127.0.0.1"), "who and from where are shown");
    assert!(!page.contains("tebakan-salah") && !page.contains("81234560001"), "no password, no whole phone number");
});

db_test!(an_unknown_account_locks_the_same_way_so_locking_reveals_nothing, |app| {
    app.seed_demo().await;
    let client = app.browser();
    for _ in 0..5 {
        app.sign_in(&client, "089999999999", "tebakan-salah").await;
    }
    assert!(flash_on(&app, &client, "/masuk").await.starts_with("Terlalu banyak percobaan masuk"));
});

db_test!(changing_the_password_checks_the_current_one_and_the_policy, |app| {
    app.seed_demo().await;
    let client = app.browser();
    app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await;
    let change = |old: &'static str, new: &'static str, again: &'static str| {
        let client = client.clone();
        let url = app.url("/auth/sandi");
        async move {
            client
                .post(url)
                .form(&[("sandi_lama", old), ("sandi_baru", new), ("sandi_ulang", again)])
                .send()
                .await
                .unwrap()
        }
    };
    change("salah", "koperasi kami maju", "koperasi kami maju").await;
    assert_eq!(flash_on(&app, &client, "/akun").await, "Kata sandi saat ini salah");
    change(PESERTA_PASSWORD, "bismillah", "bismillah").await;
    assert!(flash_on(&app, &client, "/akun").await.contains("terlalu umum"));
    change(PESERTA_PASSWORD, "koperasi kami maju", "koperasi kami mundur").await;
    assert_eq!(flash_on(&app, &client, "/akun").await, "Konfirmasi kata sandi baru tidak sama.");
    change(PESERTA_PASSWORD, "koperasi kami maju", "koperasi kami maju").await;
    assert_eq!(flash_on(&app, &client, "/akun").await, "Kata sandi berhasil diubah.");
    let fresh = app.browser();
    assert_eq!(location(&app.sign_in(&fresh, PESERTA_PHONE, "koperasi kami maju").await), "/akun");
});

// ASVS 7.4.3: after changing the password, the other devices are signed out when the box (ticked
// by default) stays ticked, and stay signed in when it is unticked; this device stays signed in.
db_test!(changing_the_password_signs_the_other_devices_out_unless_the_box_is_unticked, |app| {
    app.seed_demo().await;
    let (phone, laptop, tablet) = (app.browser(), app.browser(), app.browser());
    for device in [&phone, &laptop, &tablet] {
        assert_eq!(location(&app.sign_in(device, PESERTA_PHONE, PESERTA_PASSWORD).await), "/akun");
    }
    let akun = phone.get(app.url("/akun")).send().await.unwrap().text().await.unwrap();
    let the_box = akun.split("<input").find(|tag| tag.contains(r#"name="keluar_lain""#)).expect("the box is shown");
    assert!(the_box.split('>').next().unwrap().contains("checked"), "the box is ticked by default: {the_box}");
    let signed_in = |device: &reqwest::Client| {
        let (device, url) = (device.clone(), app.url("/akun"));
        async move { device.get(url).send().await.unwrap().status().as_u16() == 200 }
    };

    let r = phone
        .post(app.url("/auth/sandi"))
        .form(&[
            ("sandi_lama", PESERTA_PASSWORD),
            ("sandi_baru", "koperasi kami maju"),
            ("sandi_ulang", "koperasi kami maju"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/akun", "unticked: no keluar_lain in the form");
    assert!(signed_in(&laptop).await && signed_in(&tablet).await, "the other devices stay signed in");

    phone
        .post(app.url("/auth/sandi"))
        .form(&[
            ("sandi_lama", "koperasi kami maju"),
            ("sandi_baru", "koperasi kami jaya"),
            ("sandi_ulang", "koperasi kami jaya"),
            ("keluar_lain", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        flash_on(&app, &phone, "/akun").await,
        "Kata sandi berhasil diubah. Akun ini sudah dikeluarkan dari perangkat lain."
    );
    assert!(signed_in(&phone).await, "this device stays signed in");
    assert!(!signed_in(&laptop).await && !signed_in(&tablet).await, "the other devices are signed out");
});

#[tokio::test]
async fn an_active_session_is_renewed_and_an_idle_one_expires() {
    use crate::helpers::Backend;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.session_idle_secs = 4).await.unwrap();
    app.seed_demo().await;
    let client = app.browser();
    app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await;
    // Active for well past the idle limit (a request a second): still signed in.
    for _ in 0..7 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        assert_eq!(client.get(app.url("/akun")).send().await.unwrap().status().as_u16(), 200);
    }
    // Then idle past the limit: signed out.
    tokio::time::sleep(std::time::Duration::from_millis(6500)).await;
    let r = client.get(app.url("/akun")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), location(&r)), (303, "/masuk?ke=/akun".to_string()));
    app.teardown().await;
}

#[tokio::test]
async fn a_session_ends_at_the_absolute_limit_even_when_active() {
    use crate::helpers::Backend;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.session_max_secs = 1).await.unwrap();
    app.seed_demo().await;
    let client = app.browser();
    app.sign_in(&client, PESERTA_PHONE, PESERTA_PASSWORD).await;
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(900)).await;
        client.get(app.url("/")).send().await.unwrap();
    }
    let r = client.get(app.url("/akun")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    app.teardown().await;
}

#[tokio::test]
async fn thirty_failures_from_one_address_lock_that_address_only() {
    use crate::helpers::Backend;
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.trust_forwarded_for = true).await.unwrap();
    app.seed_demo().await;
    let from = |ip: &'static str, login: String, password: &'static str| {
        let url = app.url("/auth/masuk");
        let client = app.browser();
        async move {
            // Each `;` starts a header line of its own, as a proxy that adds a line writes it.
            let mut request = client.post(url);
            for line in ip.split(';') {
                request = request.header("x-forwarded-for", line.trim());
            }
            let r = request.form(&[("login", login.as_str()), ("sandi", password)]).send().await.unwrap();
            r.headers()["location"].to_str().unwrap().to_string()
        }
    };
    // Different (unknown) identifiers, so only the address limit can trigger.
    for i in 0..30 {
        from("203.0.113.7", format!("0899000000{i:02}"), "salah-salah").await;
    }
    assert_ne!(from("203.0.113.7", PESERTA_PHONE.into(), PESERTA_PASSWORD).await, "/akun", "the address is locked");
    assert_ne!(
        from("198.51.100.99, 203.0.113.7", PESERTA_PHONE.into(), PESERTA_PASSWORD).await,
        "/akun",
        "an address the client puts before the proxy's entry does not escape the lock"
    );
    assert_ne!(
        from("198.51.100.99; 203.0.113.7", PESERTA_PHONE.into(), PESERTA_PASSWORD).await,
        "/akun",
        "nor a line the client sends before the line the proxy adds"
    );
    assert_eq!(from("203.0.113.8", PESERTA_PHONE.into(), PESERTA_PASSWORD).await, "/akun", "other addresses are not");
    app.teardown().await;
}

db_test!(a_post_from_another_site_is_refused_but_same_site_posts_work, |app| {
    app.seed_demo().await;
    let form = [("login", PESERTA_PHONE), ("sandi", PESERTA_PASSWORD)];
    let foreign = app
        .browser()
        .post(app.url("/auth/masuk"))
        .header("origin", "https://jahat.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status().as_u16(), 403);
    let origin = format!("http://{}", app.addr);
    let own = app.browser().post(app.url("/auth/masuk")).header("origin", origin).form(&form).send().await.unwrap();
    assert_eq!(own.headers()["location"], "/akun");
});

db_test!(every_signed_in_page_sends_a_visitor_to_sign_in_and_back_to_the_very_url_asked_for, |app| {
    app.seed_demo().await;
    let visitor = app.browser();
    // One of each route the app guards (`signed_in` in app.rs), with a query where one matters:
    // the check-in link a QR code carries, a report filter.
    let pages = [
        "/akun",
        "/peserta",
        "/peserta/impor",
        "/peserta/kode",
        "/peserta/baru",
        "/peserta/1",
        "/audit",
        "/admin/peran",
        "/diklat",
        "/diklat/1",
        "/diklat/1/peserta",
        "/diklat/1/kuis",
        "/diklat/1/kelulusan",
        "/diklat/1/evaluasi",
        "/sesi/1",
        "/sesi/1/kode",
        "/sesi/1/daftar-hadir",
        "/jadwal",
        "/evaluasi",
        "/evaluasi/narasumber/1",
        "/evaluasi/1/sesi/1",
        "/presensi?sesi=1&kode=AB%20C7",
        "/bank-soal/literasi-keuangan",
        "/kuis/literasi-keuangan/awal",
        "/percobaan/1",
        "/sertifikat",
        "/sertifikat/unduhan/1",
        "/laporan?wilayah=3573&jabatan=ketua&hal=2",
        "/laporan/cetak?wilayah=3573",
    ];
    for path in pages {
        let r = visitor.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            (r.status().as_u16(), location(&r)),
            (303, format!("/masuk?ke={}", types::encode_component(path))),
            "{path}"
        );
    }
    // Signing in from there lands on the check-in link exactly as the QR code had it.
    let back = "/presensi?sesi=1&kode=AB%20C7";
    let r = visitor
        .post(app.url("/auth/masuk"))
        .form(&[("login", PESERTA_PHONE), ("sandi", PESERTA_PASSWORD), ("ke", back)])
        .send()
        .await
        .unwrap();
    assert_eq!((r.status().as_u16(), location(&r)), (303, back.to_string()));
    // Public pages stay open to a visitor.
    let visitor = app.browser();
    for path in ["/", "/modul", "/wilayah", "/verifikasi", "/capaian", "/masuk", "/aktivasi"] {
        assert_eq!(visitor.get(app.url(path)).send().await.unwrap().status().as_u16(), 200, "{path}");
    }
});
