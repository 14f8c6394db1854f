//! Benchmark: importing a participant file through the real upload endpoint.
//!
//! Starts the real application (the build you run it with; use `--release`) on a fresh
//! database per run, signs in as the demo panitia, uploads a generated valid CSV of `--rows`
//! rows and times the request until the server answers (every row checked, all written in one
//! transaction). Reports each run and the median.
//!
//!     cargo run --release -p server --example bench_import -- --rows 10000 --runs 3
//!     cargo run --release -p server --example bench_import -- --postgres postgres://postgres@127.0.0.1:5432/test
//!
//! Run it from the repository root (it reads ./content).

use sea_orm::{ConnectionTrait, Database, EntityTrait, PaginatorTrait};
use server::{Application, Config};
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

const KELURAHAN: &[&str] = &[
    "Kotalama",
    "Mergosono",
    "Bumiayu",
    "Wonokoyo",
    "Buring",
    "Kedungkandang",
    "Lesanpuro",
    "Sawojajar",
    "Madyopuro",
    "Cemorokandang",
    "Arjowinangun",
    "Tlogowaru",
    "Klojen",
    "Samaan",
    "Kasin",
    "Kauman",
    "Oro-oro Dowo",
    "Bareng",
    "Penanggungan",
    "Sukoharjo",
    "Kiduldalem",
    "Tlogomas",
    "Dinoyo",
    "Sumbersari",
    "Ketawanggede",
    "Jatimulyo",
    "Lowokwaru",
    "Tulusrejo",
    "Mojolangu",
    "Tunjungsekar",
    "Tasikmadu",
    "Tunggulwulung",
    "Merjosari",
];
const POSITIONS: &[&str] = &["Ketua", "Sekretaris", "Bendahara", "Ketua Pengawas", "Anggota Pengawas", "Anggota"];

fn csv(rows: usize) -> Vec<u8> {
    let mut out = String::from("\u{feff}nama;nik;no_hp;email;kelurahan;jabatan\r\n");
    for i in 0..rows {
        out.push_str(&format!(
            "Peserta Uji {i};3573{:012};0857{:08};;{};{}\r\n",
            900_000_000_000u64 + i as u64,
            10_000_000 + i,
            KELURAHAN[i % KELURAHAN.len()],
            POSITIONS[i % POSITIONS.len()]
        ));
    }
    out.into_bytes()
}

async fn run_once(rows: usize, postgres: Option<&str>, body: Vec<u8>) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let mut fresh_pg = None;
    let url = match postgres {
        None => None,
        Some(admin) => {
            let name = format!("diklat_bench_{}", std::process::id());
            let conn = Database::connect(admin).await.unwrap();
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
            conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
            let base = admin.rsplit_once('/').unwrap().0.to_string();
            fresh_pg = Some((admin.to_string(), name.clone()));
            Some(format!("{base}/{name}"))
        }
    };
    let mut config = Config::for_test(dir.path().to_path_buf(), "content".into(), url);
    config.demo = true;
    let app = Application::build(config).await.expect("the application starts");
    let addr = app.addr();
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = client
        .post(format!("http://{addr}/auth/masuk"))
        .form(&[("login", "panitia@demo.diklat-kkmp.test"), ("sandi", "demo-panitia-kkmp")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/akun");
    let before = domain::entities::person::Entity::find().count(state.db.read()).await.unwrap();
    let form =
        reqwest::multipart::Form::new().part("berkas", reqwest::multipart::Part::bytes(body).file_name("peserta.csv"));
    let started = Instant::now();
    let r = client.post(format!("http://{addr}/unggah/peserta")).multipart(form).send().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(r.status().as_u16(), 303);
    let after = domain::entities::person::Entity::find().count(state.db.read()).await.unwrap();
    assert_eq!(after - before, rows as u64, "every row was imported");
    state.db.clone().close().await;
    if let Some((admin, name)) = fresh_pg {
        let conn = Database::connect(&admin).await.unwrap();
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
    }
    elapsed
}

#[tokio::main]
async fn main() {
    let rows: usize = arg("--rows").and_then(|r| r.parse().ok()).unwrap_or(10_000);
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(3);
    let postgres = arg("--postgres");
    let body = csv(rows);
    println!(
        "import benchmark: {rows} rows ({} KB CSV), {runs} runs, {}, {} build",
        body.len() / 1024,
        if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let mut times = Vec::new();
    for i in 1..=runs {
        let t = run_once(rows, postgres.as_deref(), body.clone()).await;
        println!("  run {i}: {:.2} s ({:.0} rows/s)", t.as_secs_f64(), rows as f64 / t.as_secs_f64());
        times.push(t);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!("median: {:.2} s ({:.0} rows/s)", median.as_secs_f64(), rows as f64 / median.as_secs_f64());
}
