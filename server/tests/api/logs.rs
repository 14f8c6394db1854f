//! The log, at its most verbose (`RUST_LOG=debug`, every statement with its values), holds no
//! password, one-time code, session id or full NIK, and records refused sign-ins and refused
//! requests with what an operator needs. This runs the real binary and reads its stderr.

use crate::helpers::{content_dir, session_cookie_of as session_cookie};
use std::process::{Command, Stdio};

fn free_address() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_debug_log_records_a_refused_sign_in_but_no_password_code_session_id_or_full_nik() {
    let data = tempfile::tempdir().unwrap();
    let addr = free_address();
    let log_path = data.path().join("stderr.log");
    let mut server = Command::new(env!("CARGO_BIN_EXE_diklat"))
        .args(["serve", "--demo", "--listen", &addr, "--public-url", &format!("http://{addr}")])
        .env_remove("DATABASE_URL")
        .env("DIKLAT_DATA_DIR", data.path())
        .env("DIKLAT_CONTENT_DIR", content_dir())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for _ in 0..600 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let password = "demo-panitia-kkmp";
    let r = client
        .post(format!("{base}/auth/masuk"))
        .form(&[("login", "panitia@demo.diklat-kkmp.test"), ("sandi", password), ("ke", "/akun")])
        .send()
        .await
        .unwrap();
    let cookie = session_cookie(&r);
    let get = |path: &str| client.get(format!("{base}{path}")).header("cookie", &cookie).send();
    // A new participant with a NIK, found by it, given a one-time code.
    let nik = "3573055505907731";
    let form = [
        ("nama", "Dewi Lestari"),
        ("nik", nik),
        ("no_hp", "0813 7777 0001"),
        ("email", ""),
        ("kelurahan", "Tlogomas"),
        ("kecamatan", ""),
        ("jabatan", "Bendahara"),
    ];
    let r = client.post(format!("{base}/peserta/tambah")).header("cookie", &cookie).form(&form).send().await.unwrap();
    assert_eq!(r.headers()["location"], format!("/peserta?q={nik}").as_str());
    let list = get(&format!("/peserta?q={nik}")).await.unwrap().text().await.unwrap();
    let id: String = list
        .split("href=\"/peserta/")
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect::<String>())
        .find(|id| !id.is_empty())
        .unwrap_or_default();
    assert!(!id.is_empty(), "the new participant is listed");
    client
        .post(format!("{base}/kode/buat"))
        .header("cookie", &cookie)
        .form(&[("orang", id.as_str())])
        .send()
        .await
        .unwrap();
    let printed = get("/peserta/kode").await.unwrap().text().await.unwrap();
    let code = printed
        .split(r#"data-testid="otp""#)
        .nth(1)
        .map(|s| s[s.find('>').unwrap() + 1..].split('<').next().unwrap().to_string());
    let code = code.expect("the printed code");
    // A wrong password for someone else.
    let wrong = "rahasia-salah-987";
    client
        .post(format!("{base}/auth/masuk"))
        .form(&[("login", "081234560001"), ("sandi", wrong), ("ke", "/akun")])
        .send()
        .await
        .unwrap();
    // A page the panitia may not open.
    assert_eq!(get("/admin/peran").await.unwrap().status(), 403);
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    server.wait().unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("DEBUG"), "the log was at debug level: {} bytes", log.len());
    let session_id = cookie.trim_start_matches("diklat_sesi=");
    for (what, secret) in [
        ("the password", password),
        ("the wrong password", wrong),
        ("the NIK", nik),
        ("the one-time code", code.as_str()),
        ("the one-time code, normalised", &code.replace('-', "")),
        ("the session id", session_id),
    ] {
        assert!(!log.contains(secret), "{what} is in the log");
    }
    // The refused sign-in: the account masked, the client address, the reason.
    let refused = log.lines().find(|l| l.contains("sign-in refused")).expect("a refused sign-in is logged");
    assert!(refused.contains("WARN") && refused.contains("…0001") && refused.contains("127.0.0.1"), "{refused}");
    assert!(refused.contains("Invalid"), "{refused}");
    // The refused page: who (the account), what, from where.
    let forbidden = log.lines().find(|l| l.contains("request refused (403)")).expect("a refusal is logged");
    assert!(
        forbidden.contains("/admin/peran") && forbidden.contains("Some(") && forbidden.contains("127.0.0.1"),
        "{forbidden}"
    );
}
