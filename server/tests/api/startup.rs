//! Start-up failures name the setting to fix and exit non-zero. These run the real binary.

use crate::helpers::content_dir;
use std::process::{Command, Output};

fn diklat(args: &[&str], env: &[(&str, &str)]) -> Output {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_diklat"));
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("DIKLAT_DATA_DIR", data.path())
        .env("DIKLAT_CONTENT_DIR", content_dir())
        .env("DIKLAT_LISTEN", "127.0.0.1:0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    drop(data);
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn an_unreachable_postgres_url_stops_start_up_naming_database_url() {
    let out = diklat(&["serve"], &[("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/none")]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("DATABASE_URL") && err.contains("PostgreSQL"), "{err}");
    assert!(!err.contains("secret"), "the password must not be printed: {err}");
}

#[test]
fn an_unsupported_database_url_stops_start_up() {
    let out = diklat(&[], &[("DATABASE_URL", "mysql://root@127.0.0.1/test")]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DATABASE_URL: `mysql://root@127.0.0.1/test` is not supported"), "{}", stderr(&out));
}

#[test]
fn a_data_folder_that_cannot_be_created_stops_start_up_naming_diklat_data_dir() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let inside_a_file = file.path().join("data");
    let out = diklat(&["serve"], &[("DIKLAT_DATA_DIR", inside_a_file.to_str().unwrap())]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("DIKLAT_DATA_DIR"), "{}", stderr(&out));
}

#[test]
fn invalid_content_stops_start_up_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("modul/01-contoh");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(module.join("index.md"), "+++\nslug = \"contoh\"\ntitle = 3\n+++\n## A\n\nx\n").unwrap();
    let out = diklat(&["serve"], &[("DIKLAT_CONTENT_DIR", dir.path().to_str().unwrap())]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("DIKLAT_CONTENT_DIR") && err.contains("01-contoh/index.md:3:"), "{err}");
    let check = diklat(&["content", "check", "--content-dir", dir.path().to_str().unwrap()], &[]);
    assert!(!check.status.success());
    assert!(stderr(&check).contains("01-contoh/index.md:3:"), "{}", stderr(&check));
}

#[test]
fn the_repository_content_passes_the_content_check() {
    let out = diklat(&["content", "check", "--content-dir", content_dir().to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("semua valid"));
}

#[tokio::test]
async fn the_data_key_is_created_private_once_and_kept() {
    use crate::helpers::{Backend, TestApp};
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let path = app.data_dir().join(domain::secret::FILE_NAME);
    let first = std::fs::read_to_string(&path).unwrap();
    assert_eq!(first.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert!(!format!("{:?}", app.state.data_key).contains(&first[..8]));
    let again = domain::secret::DataKey::load_or_create(app.data_dir()).unwrap();
    assert_eq!(again.derive("x"), app.state.data_key.derive("x"), "the key is reused, not regenerated");
    app.teardown().await;
}

/// One module file with `body` after valid front matter (or `front` replacing it), checked by
/// `diklat content check`; returns its stderr.
fn check(front: Option<&str>, body: &str, extra: &[(&str, &str)]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("modul/01-contoh");
    std::fs::create_dir_all(&module).unwrap();
    let front = front.unwrap_or(
        "slug = \"contoh\"\ntitle = \"Contoh\"\nsummary = \"S\"\norder = 1\njp = 2\naudience = \"keduanya\"\nobjectives = [\"O\"]\nversion = \"1.0\"\nlast_reviewed = 2025-10-01\n",
    );
    std::fs::write(module.join("index.md"), format!("+++\n{front}+++\n{body}")).unwrap();
    for (path, text) in extra {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = diklat(&["content", "check", "--content-dir", dir.path().to_str().unwrap()], &[]);
    assert!(!out.status.success(), "the check must fail");
    stderr(&out)
}

#[test]
fn content_check_names_file_and_line_for_each_kind_of_problem() {
    // A missing field.
    let e = check(Some("slug = \"contoh\"\ntitle = \"Contoh\"\n"), "## A\n\nx\n", &[]);
    assert!(e.contains("01-contoh/index.md:") && e.contains("missing field"), "{e}");
    // A wrongly typed field (line 6 is `jp`).
    let e = check(Some("slug = \"contoh\"\ntitle = \"Contoh\"\nsummary = \"S\"\norder = 1\njp = \"dua\"\naudience = \"keduanya\"\nobjectives = [\"O\"]\nversion = \"1.0\"\nlast_reviewed = 2025-10-01\n"), "## A\n\nx\n", &[]);
    assert!(e.contains("01-contoh/index.md:6:"), "{e}");
    // An empty section (line 12: the body starts at line 12).
    let e = check(None, "## Kosong\n\n## Isi\n\nx\n", &[]);
    assert!(e.contains("01-contoh/index.md:12: section `Kosong` is empty"), "{e}");
    // A link to an anchor nobody has.
    let e = check(None, "## A\n\nLihat [di sini](#tidak-ada).\n", &[]);
    assert!(e.contains("01-contoh/index.md:14: link to `#tidak-ada`"), "{e}");
    // A missing image and an image without alt text.
    let e = check(None, "## A\n\n![Foto](foto.png)\n\n![](ada.png)\n", &[("modul/01-contoh/ada.png", "x")]);
    assert!(e.contains("01-contoh/index.md:14: image `foto.png` not found"), "{e}");
    assert!(e.contains("01-contoh/index.md:16: image `ada.png` has no alt text"), "{e}");
    // A link to a module that does not exist.
    let e = check(None, "## A\n\n[modul lain](/modul/tidak-ada)\n", &[]);
    assert!(e.contains("01-contoh/index.md:14: link to module `tidak-ada`"), "{e}");
    // Two modules with one slug.
    let e = check(
        None,
        "## A\n\nx\n",
        &[("modul/02-contoh/index.md", "+++\nslug = \"contoh\"\ntitle = \"T\"\nsummary = \"S\"\norder = 2\njp = 1\naudience = \"pengawas\"\nobjectives = [\"O\"]\nversion = \"1\"\nlast_reviewed = 2025-10-01\n+++\n## A\n\nx\n")],
    );
    assert!(e.contains("slug `contoh` is also used by") || e.contains("does not match the folder"), "{e}");
    // A question bank whose choice question has no correct option (line 1 is its `[[soal]]`).
    let e = check(
        None,
        "## A\n\nx\n",
        &[("modul/01-contoh/soal.toml", "[[soal]]\nid = \"a\"\njenis = \"pilihan\"\nteks = \"T\"\n  [[soal.opsi]]\n  teks = \"x\"\n  benar = false\n  [[soal.opsi]]\n  teks = \"y\"\n  benar = false\n")],
    );
    assert!(e.contains("01-contoh/soal.toml:1: question `a`: `pilihan` needs exactly one correct option"), "{e}");
}

#[test]
fn import_gift_writes_nothing_until_problems_are_confirmed_then_appends_a_valid_bank() {
    let dir = tempfile::tempdir().unwrap();
    let gift = dir.path().join("moodle.gift");
    std::fs::write(
        &gift,
        "::Q1:: 1+1=2 {T}\n\n::Q4:: Which animal eats which food? { =cat -> cat food =dog -> dog food }\n\n::Kas:: Kas kecil dipegang oleh { =bendahara ~ketua }\n",
    )
    .unwrap();
    let bank = dir.path().join("soal.toml");
    let before = std::fs::read_to_string(content_dir().join("modul/01-pengembangan-usaha/soal.toml")).unwrap();
    std::fs::write(&bank, &before).unwrap();
    let args = |extra: &[&str]| {
        let mut a = vec!["content", "import-gift", gift.to_str().unwrap(), "--out", bank.to_str().unwrap(), "--append"];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let refused = diklat(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(!refused.status.success());
    let err = stderr(&refused);
    assert!(err.contains("moodle.gift:3: dilewati: soal \"Q4\": soal menjodohkan"), "{err}");
    assert!(err.contains("tidak ada yang ditulis"), "{err}");
    assert_eq!(std::fs::read_to_string(&bank).unwrap(), before, "the bank is untouched");

    let done = diklat(&args(&["--skip-problems"]).iter().map(String::as_str).collect::<Vec<_>>(), &[]);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(String::from_utf8_lossy(&done.stdout).contains("2 soal diimpor, 1 dilewati"));
    let written = std::fs::read_to_string(&bank).unwrap();
    let parsed = domain::quiz::parse_bank(&bank, &written).expect("the result is a valid bank");
    let base = domain::quiz::parse_bank(&bank, &before).unwrap().questions.len();
    assert_eq!(parsed.questions.len(), base + 2);
    assert_eq!(parsed.questions[base].id, "q1");
    assert_eq!(parsed.questions[base + 1].id, "kas");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_signing_key_is_published_and_kept_across_restarts() {
    let app = crate::helpers::TestApp::spawn(crate::helpers::Backend::Sqlite).await.unwrap();
    let r = app.get("/.well-known/diklat-kkmp-keys.json").await;
    assert_eq!(r.status(), 200);
    let keys: serde_json::Value = r.json().await.unwrap();
    let key = &keys["keys"][0];
    assert_eq!((key["kty"].as_str(), key["crv"].as_str()), (Some("OKP"), Some("Ed25519")));
    let public = key["x"].as_str().unwrap().to_string();
    // What the server signs checks out with the published key alone.
    let signature = app.state.certificate_key.sign(b"KKMP-MLG/2025/000001");
    assert!(domain::signing::verify(&public, b"KKMP-MLG/2025/000001", &signature));
    assert!(!domain::signing::verify(&public, b"KKMP-MLG/2025/000002", &signature));
    let path = app.data_dir().join(domain::signing::FILE_NAME);
    assert!(path.exists(), "the key lives in the data folder");
    let addr = app.restarted().await;
    let again: serde_json::Value =
        reqwest::get(format!("http://{addr}/.well-known/diklat-kkmp-keys.json")).await.unwrap().json().await.unwrap();
    assert_eq!(again["keys"][0]["x"].as_str(), Some(public.as_str()), "the same key after a restart");
    app.teardown().await;
}

/// `diklat serve` on a fresh SQLite data folder, on a free port; returns the child and its address.
fn serve_in(data: &std::path::Path) -> (std::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_diklat"))
        .args(["serve", "--listen", &addr])
        .env_remove("DATABASE_URL")
        .env("DIKLAT_DATA_DIR", data)
        .env("DIKLAT_CONTENT_DIR", content_dir())
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            return (child, addr);
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not listen on {addr}");
}

#[test]
fn a_stop_signal_lets_the_request_in_flight_finish_then_exits_cleanly() {
    use std::io::{Read, Write};
    let data = tempfile::tempdir().unwrap();
    let (mut child, addr) = serve_in(data.path());
    // A sign-in whose body arrives in two parts, the second after SIGTERM.
    let body = "login=081234560001&sandi=salah-sekali&ke=%2Fakun";
    let (first, rest) = body.split_at(10);
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(
        conn,
        "POST /auth/masuk HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let term = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(term.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "still running while a request is in flight");
    conn.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 303"), "the request in flight is answered: {response}");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < until, "the server exits after its last request");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "a clean exit: {status}");
    assert!(std::net::TcpStream::connect(&addr).is_err(), "no longer listening");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_trickles_its_headers_is_disconnected_while_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = crate::helpers::TestApp::spawn_with(crate::helpers::Backend::Sqlite, |c| c.header_timeout_secs = 1)
        .await
        .unwrap();
    // Slowloris: a request line and one header, then a byte now and then, never the blank line.
    let mut slow = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: diklat\r\n").await.unwrap();
    let trickle = async {
        for _ in 0..20 {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            if slow.write_all(b"X").await.is_err() {
                break;
            }
        }
    };
    let served = async {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        app.get("/healthz").await.status()
    };
    let ((), status) = tokio::join!(trickle, served);
    assert_eq!(status, 200, "others are served meanwhile");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(read.is_ok(), "the connection is closed by the server, not left open");
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "no page for a request never finished: {answer}");
    app.teardown().await;
}
