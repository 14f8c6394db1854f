//! The backup drill: `diklat backup` (the real binary) while panitia keep adding participants,
//! then `diklat restore` into an empty data folder (or an empty PostgreSQL database) and a server
//! started on what was restored.

use crate::db_test;
use crate::helpers::{content_dir, drop_postgres, fresh_postgres, TestApp};
use domain::entities::{certificate, person};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::{
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

const PANITIA: (&str, &str) = ("panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp");

/// `diklat <args…>` with the data folder (and the database, on PostgreSQL) of `data_dir`/`url`.
async fn diklat(args: &[&str], data_dir: &Path, url: Option<&str>) -> std::process::Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_diklat"));
    command.args(args).arg("--data-dir").arg(data_dir).env_remove("DATABASE_URL").env("RUST_LOG", "warn");
    if let Some(url) = url {
        command.args(["--database-url", url]);
    }
    command.output().await.expect("the diklat binary runs")
}

fn text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// NIKs the server confirmed adding (a 303 to the new participant), in order.
type Acked = Arc<Mutex<Vec<String>>>;

/// Panitia adding participants as fast as the server takes them, until `stop`.
fn keep_adding(app: &TestApp, staff: reqwest::Client, writer: u64, stop: Arc<AtomicBool>, acked: Acked) -> Task {
    let url = app.url("/peserta/tambah");
    tokio::spawn(async move {
        let mut n = 0u64;
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let nik = format!("35730{writer}{n:010}");
            let form = [
                ("nama", format!("Peserta Cadangan {writer}-{n}")),
                ("nik", nik.clone()),
                ("no_hp", format!("0857{writer}{n:07}")),
                ("email", String::new()),
                ("kelurahan", "Tlogomas".into()),
                ("kecamatan", String::new()),
                ("jabatan", "Bendahara".into()),
            ];
            let r = staff.post(&url).form(&form).send().await.unwrap();
            assert_eq!(r.headers()["location"], format!("/peserta?q={nik}").as_str(), "participant {nik} added");
            acked.lock().unwrap().push(nik);
        }
    })
}

type Task = tokio::task::JoinHandle<()>;

async fn wait_for(acked: &Acked, than: usize) {
    for _ in 0..600 {
        if acked.lock().unwrap().len() >= than {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the load did not reach {than} participants");
}

db_test!(a_backup_taken_under_load_restores_with_every_acknowledged_row_and_signature, |app| {
    let issued = app.seed_demo_with_certificates().await;
    assert!(issued.len() >= 10, "the demo issues certificates: {}", issued.len());
    let url = app.config.database_url.clone();
    let staff = app.browser();
    app.sign_in(&staff, PANITIA.0, PANITIA.1).await;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Acked::default();
    let writers: Vec<_> = (1..=3).map(|w| keep_adding(&app, staff.clone(), w, stop.clone(), acked.clone())).collect();
    wait_for(&acked, 10).await;

    // The backup, while the writers keep going.
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("cadangan.zip");
    let before_backup = acked.lock().unwrap().clone();
    let out = diklat(&["backup", file.to_str().unwrap()], app.data_dir(), url.as_deref()).await;
    assert!(out.status.success(), "backup: {}", text(&out));
    assert!(text(&out).contains("cadangan") && text(&out).contains("baris"), "{}", text(&out));
    let during_backup = acked.lock().unwrap().len();
    wait_for(&acked, during_backup + 10).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let everyone = acked.lock().unwrap().len();
    assert!(everyone > during_backup, "writes went on after the backup");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the backup holds the keys: owner only");
    }

    // Restore into an empty data folder (and an empty database).
    let restored_dir = tempfile::tempdir().unwrap();
    let pg = if url.is_some() { fresh_postgres().await } else { None };
    let restored_url = pg.as_ref().map(|(_, _, u)| u.clone());
    let out = diklat(&["restore", file.to_str().unwrap()], restored_dir.path(), restored_url.as_deref()).await;
    assert!(out.status.success(), "restore: {}", text(&out));
    assert!(text(&out).contains("integritas ok"), "{}", text(&out));

    // A server on what was restored.
    let mut config = server::Config::for_test(restored_dir.path().to_path_buf(), content_dir(), restored_url.clone());
    config.verify_rate_per_minute = 10_000;
    let restored = server::Application::build(config).await.expect("a server starts on the restored data");
    let (addr, state) = (restored.addr(), restored.state().clone());
    tokio::spawn(restored.run_until_stopped());

    // Every participant confirmed before the backup began is in it once; the load went on after.
    let live_people = person::Entity::find().count(app.state.db.read()).await.unwrap();
    let restored_people = person::Entity::find().count(state.db.read()).await.unwrap();
    assert!(restored_people < live_people, "the backup is a moment during the load: {restored_people} < {live_people}");
    for nik in &before_backup {
        let found = person::Entity::find().filter(person::Column::Nik.eq(nik.as_str())).count(state.db.read()).await;
        assert_eq!(found.unwrap(), 1, "participant {nik}, confirmed before the backup began, is in it once");
    }

    // Every certificate is there, byte for byte, and still verifies with the restored key.
    let client = reqwest::Client::new();
    for c in &issued {
        let copy = certificate::Entity::find_by_id(c.id).one(state.db.read()).await.unwrap().expect("restored");
        assert_eq!(
            (&copy.verification_code, &copy.payload, &copy.signature, &copy.key_id),
            (&c.verification_code, &c.payload, &c.signature, &c.key_id)
        );
        let v: serde_json::Value = client
            .get(format!("http://{addr}/api/v1/certificates/{}", c.verification_code))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v["signature_valid"], true, "{}: {v}", c.verification_code);
        assert_eq!(v["status"], "aktif", "{}: {v}", c.verification_code);
    }
    state.db.clone().close().await;

    // Restoring again over it is refused, naming what is in the way; nothing changes.
    let out = diklat(&["restore", file.to_str().unwrap()], restored_dir.path(), restored_url.as_deref()).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("sudah ada") || text(&out).contains("tidak kosong"), "{}", text(&out));
    if let Some((admin, name, _)) = pg {
        drop_postgres(&admin, &name).await;
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_is_refused_and_nothing_is_restored() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await.unwrap();
    app.seed_demo().await;
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("cadangan.zip");
    let out = diklat(&["backup", file.to_str().unwrap()], app.data_dir(), None).await;
    assert!(out.status.success(), "backup: {}", text(&out));
    let again = diklat(&["backup", file.to_str().unwrap()], app.data_dir(), None).await;
    assert!(
        !again.status.success() && text(&again).contains("sudah ada"),
        "an existing file is kept: {}",
        text(&again)
    );

    // One byte changed in the middle of the database.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    let damaged = folder.path().join("rusak.zip");
    std::fs::write(&damaged, &bytes).unwrap();
    let target = tempfile::tempdir().unwrap();
    let out = diklat(&["restore", damaged.to_str().unwrap()], target.path(), None).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("rusak"), "the message says the backup is damaged: {}", text(&out));
    let left: Vec<_> = std::fs::read_dir(target.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "nothing is written: {left:?}");

    // Not a backup at all.
    let out = diklat(&["restore", "Cargo.toml"], target.path(), None).await;
    assert!(!out.status.success() && text(&out).contains("bukan cadangan"), "{}", text(&out));
    app.teardown().await;
}
