//! The benchmark harness: every scenario of BENCHMARKS.md in one run, against the real server
//! (`diklat serve`, its own process) on SQLite or PostgreSQL, on a generated dataset, next to a
//! bare axum handler measured in the same run.
//!
//!     cargo leptos build --release                        # the server and its wasm
//!     cargo run --release -p server --example bench       # SQLite, the national dataset
//!     cargo run --release -p server --example bench -- --database-url postgres://postgres@127.0.0.1:5432/diklat_national
//!     cargo run --release -p server --example bench -- --scale sample --only module,verify
//!     cargo run -p server --example bench -- --smoke      # seconds; what ./test.sh runs
//!
//! 1. The dataset (`diklat dataset --scale …`) is written once into the data folder (or the
//!    PostgreSQL database) and reused: a marker file there says it is complete.
//! 2. `diklat serve` starts on it: the time to its first successful `/healthz` is measured, its
//!    memory (RSS) when idle and at its peak is read from /proc.
//! 3. The benchmark's own fixture is written into the same database: fresh peserta (2,000)
//!    enrolled in a diklat with a session today, and a panitia for it.
//! 4. Throughput scenarios run under wrk (Debian's `wrk`): a warm-up, then `--runs` runs of
//!    `--seconds` at `--connections`, the median run reported; the bare handler
//!    (`diklat bench-baseline`) gets the same treatment first. Timed flows (quiz submissions,
//!    the check-in burst at a fixed rate, the login storm while wrk reads pages) are driven by
//!    this process's HTTP client. Every flow is checked: stored rows are counted afterwards.
//!    Beside the rate, the server's CPU time per request (user + system over the measured runs,
//!    from `/proc`): on a shared 2-core machine a rate swings with whatever else runs, the CPU a
//!    request costs much less, so it is the figure that compares two builds. With PostgreSQL
//!    the database's own CPU is not in it (SQLite runs inside the server).
//! 5. A Markdown table goes to stdout (and to `--out FILE`); the process fails when a scenario
//!    had errors or stored the wrong rows.

mod support;

use domain::{
    entities::{attempt, attendance, certificate, module, person, quiz},
    services::quizzes::{self, QuestionCache},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QuerySelect, Set,
};
use std::{
    collections::BTreeSet,
    fmt::Write as _,
    io::Write as _,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use support::{arg, percentile, sign_in, sign_in_all};

const SLUG: &str = "pengembangan-usaha";
const QUESTIONS: i32 = 20;
const ALL: &str = "module,schedule,verify,quiz,checkin,login,dashboard,export";

struct Opts {
    bin: PathBuf,
    site_root: PathBuf,
    content_dir: PathBuf,
    data_dir: PathBuf,
    database_url: Option<String>,
    scale: String,
    connections: u32,
    seconds: u32,
    warmup: u32,
    runs: usize,
    participants: usize,
    burst_seconds: f64,
    storm: usize,
    storm_seconds: f64,
    storm_connections: u32,
    only: BTreeSet<String>,
    out: Option<PathBuf>,
    port: u16,
    smoke: bool,
    _scratch: Option<tempfile::TempDir>,
}

impl Opts {
    fn parse() -> Opts {
        let smoke = std::env::args().any(|a| a == "--smoke");
        let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| "target".into());
        let num = |name: &str, smoke_value: f64, full: f64| -> f64 {
            arg(name)
                .map(|v| v.parse().unwrap_or_else(|_| panic!("{name}: `{v}` is not a number")))
                .unwrap_or(if smoke { smoke_value } else { full })
        };
        let scale = arg("--scale").unwrap_or_else(|| if smoke { "tiny" } else { "national" }.into());
        let scratch = smoke.then(|| tempfile::tempdir().expect("a temporary folder"));
        let data_dir = arg("--data-dir").map(PathBuf::from).unwrap_or_else(|| match &scratch {
            Some(t) => t.path().to_path_buf(),
            None => PathBuf::from(std::env::var("HOME").unwrap_or_default())
                .join(format!(".cache/diklat-kkmp/bench-{scale}")),
        });
        let profile = if smoke { "debug" } else { "release" };
        Opts {
            bin: arg("--bin").map(PathBuf::from).unwrap_or_else(|| target.join(profile).join("diklat")),
            site_root: arg("--site-root").map(PathBuf::from).unwrap_or_else(|| "target/site".into()),
            content_dir: arg("--content-dir").map(PathBuf::from).unwrap_or_else(|| "content".into()),
            data_dir,
            database_url: arg("--database-url"),
            scale,
            connections: num("--connections", 8.0, 64.0) as u32,
            seconds: num("--seconds", 1.0, 10.0) as u32,
            warmup: num("--warmup", 0.0, 3.0) as u32,
            runs: num("--runs", 1.0, 3.0) as usize,
            participants: num("--participants", 40.0, 2000.0) as usize,
            burst_seconds: num("--burst-seconds", 2.0, 10.0),
            storm: num("--storm", 20.0, 600.0) as usize,
            storm_seconds: num("--storm-seconds", 2.0, 10.0),
            storm_connections: num("--storm-connections", 4.0, 16.0) as u32,
            only: arg("--only").unwrap_or_else(|| ALL.into()).split(',').map(|s| s.trim().to_string()).collect(),
            out: arg("--out").map(PathBuf::from),
            port: num("--port", 3211.0, 3211.0) as u16,
            smoke,
            _scratch: scratch,
        }
    }

    fn wants(&self, scenario: &str) -> bool {
        self.only.contains(scenario)
    }

    fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.data_dir.join("diklat.db").display())
    }

    fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| self.sqlite_url())
    }

    fn db_args(&self) -> Vec<String> {
        match &self.database_url {
            Some(url) => vec!["--database-url".into(), url.clone()],
            None => vec![],
        }
    }

    fn backend(&self) -> &'static str {
        if self.database_url.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }
}

/// One line of the table.
struct Row {
    scenario: String,
    /// Requests sent at a rate this run fixed (a burst, a storm): their rate is not a throughput.
    open_loop: bool,
    rps: f64,
    runs: Vec<f64>,
    p50: Duration,
    p99: Duration,
    errors: u64,
    /// The server process's CPU time (user + system, all threads) per answered request over the
    /// measured runs: less at the mercy of a busy machine than a rate.
    cpu: Option<Duration>,
}

/// What a wrk run printed, and the server's CPU time over it.
struct WrkRun {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: u64,
    requests: u64,
    cpu: Duration,
}

fn wrk_duration(v: &str) -> Duration {
    let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
    let n: f64 = n.parse().unwrap_or(f64::NAN);
    Duration::from_secs_f64(
        n * match unit {
            "us" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            _ => f64::NAN,
        },
    )
}

fn parse_wrk(out: &str) -> WrkRun {
    let field =
        |prefix: &str| out.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|rest| rest.trim().to_string()));
    let socket_errors: u64 = field("Socket errors:")
        .map(|s| s.split(',').filter_map(|p| p.split_whitespace().last()?.parse::<u64>().ok()).sum())
        .unwrap_or(0);
    WrkRun {
        rps: field("Requests/sec:").and_then(|v| v.parse().ok()).unwrap_or(0.0),
        p50: field("50%").map(|v| wrk_duration(&v)).unwrap_or_default(),
        p99: field("99%").map(|v| wrk_duration(&v)).unwrap_or_default(),
        errors: field("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0) + socket_errors,
        requests: out
            .lines()
            .find(|l| l.contains("requests in"))
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
            .unwrap_or(0),
        cpu: Duration::ZERO,
    }
}

/// CPU time (user + system, every thread) the process `pid` has used so far, from
/// `/proc/{pid}/stat` (fields 14 and 15, in clock ticks).
fn cpu_time(pid: u32) -> Duration {
    static TICK: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    let hz = *TICK.get_or_init(|| {
        let out = Command::new("getconf").arg("CLK_TCK").output().ok();
        out.and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(100.0)
    });
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // After the command name's closing parenthesis, field 3 (the state) comes first.
    let fields: Vec<&str> = stat.rsplit_once(") ").map_or(vec![], |(_, rest)| rest.split(' ').collect());
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    Duration::from_secs_f64((ticks(14 - 3) + ticks(15 - 3)) / hz)
}

/// `cpu` spread over `requests`.
fn per_request(cpu: Duration, requests: u64) -> Option<Duration> {
    (requests > 0).then(|| cpu.div_f64(requests as f64))
}

/// Where wrk sends its requests and how, and the process that answers them.
struct Target<'a> {
    url: String,
    headers: Vec<String>,
    script: Option<&'a Path>,
    pid: u32,
}

fn wrk_command(t: &Target, connections: u32, seconds: u32) -> Command {
    let mut c = Command::new("wrk");
    c.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "--timeout", "10s"]);
    for h in &t.headers {
        c.args(["-H", h]);
    }
    if let Some(s) = t.script {
        c.arg("-s").arg(s);
    }
    c.arg(&t.url).stdout(Stdio::piped()).stderr(Stdio::null());
    c
}

fn wrk_once(t: &Target, connections: u32, seconds: u32) -> WrkRun {
    let before = cpu_time(t.pid);
    let out = wrk_command(t, connections, seconds).output().expect("wrk runs (apt-get install wrk)");
    WrkRun { cpu: cpu_time(t.pid).saturating_sub(before), ..parse_wrk(&String::from_utf8_lossy(&out.stdout)) }
}

/// A warm-up, then `runs` runs; the median run by requests/s.
fn measure(o: &Opts, scenario: &str, t: &Target) -> Row {
    if o.warmup > 0 {
        wrk_once(t, o.connections, o.warmup);
    }
    let mut runs: Vec<WrkRun> = (0..o.runs).map(|_| wrk_once(t, o.connections, o.seconds)).collect();
    runs.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    let all: Vec<f64> = runs.iter().map(|r| r.rps).collect();
    let errors = runs.iter().map(|r| r.errors).sum();
    let answered: u64 = runs.iter().map(|r| r.requests).sum();
    let cpu = per_request(runs.iter().map(|r| r.cpu).sum(), answered);
    let m = &runs[runs.len() / 2];
    eprintln!("  {scenario}: {:.0} req/s ({answered} requests, {errors} errors)", m.rps);
    let mut row =
        Row { scenario: scenario.into(), open_loop: false, rps: m.rps, runs: all, p50: m.p50, p99: m.p99, errors, cpu };
    if answered == 0 {
        row.errors += 1;
    }
    row
}

/// Requests timed by this process: rate, p50/p99 and errors.
fn timed_row(scenario: &str, open_loop: bool, mut latencies: Vec<Duration>, wall: Duration, errors: u64) -> Row {
    latencies.sort();
    Row {
        scenario: scenario.into(),
        open_loop,
        rps: latencies.len() as f64 / wall.as_secs_f64(),
        runs: vec![],
        p50: if latencies.is_empty() { Duration::ZERO } else { percentile(&latencies, 0.5) },
        p99: if latencies.is_empty() { Duration::ZERO } else { percentile(&latencies, 0.99) },
        errors: errors + u64::from(latencies.is_empty()),
        cpu: None,
    }
}

/// A process this run started; stopped when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn status_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Generates the dataset unless its marker says it is there; returns the generator's summary.
fn ensure_dataset(o: &Opts, rt: &tokio::runtime::Runtime) -> String {
    std::fs::create_dir_all(&o.data_dir).expect("the data folder");
    let marker = match &o.database_url {
        Some(url) => {
            let (admin, name) = url.rsplit_once('/').expect("a database name in the URL");
            rt.block_on(async {
                let conn = Database::connect(format!("{admin}/postgres")).await.expect("PostgreSQL answers");
                let exists = conn
                    .query_one_raw(sea_orm::Statement::from_string(
                        conn.get_database_backend(),
                        format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
                    ))
                    .await
                    .expect("pg_database")
                    .is_some();
                // A smoke run starts from an empty database every time.
                if o.smoke {
                    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                        .await
                        .expect("DROP DATABASE");
                }
                if !exists || o.smoke {
                    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("CREATE DATABASE");
                }
            });
            o.data_dir.join(format!("generated-pg-{name}"))
        }
        None => o.data_dir.join("generated-sqlite"),
    };
    if let Ok(summary) = std::fs::read_to_string(&marker) {
        return summary.trim().to_string();
    }
    eprintln!("generating the {} dataset (once; the national one takes minutes)…", o.scale);
    let out = Command::new(&o.bin)
        .arg("dataset")
        .args(["--scale", &o.scale, "--data-dir"])
        .arg(&o.data_dir)
        .arg("--content-dir")
        .arg(&o.content_dir)
        .args(o.db_args())
        .stderr(Stdio::inherit())
        .output()
        .expect("the diklat binary runs");
    assert!(out.status.success(), "diklat dataset failed");
    let summary = String::from_utf8_lossy(&out.stdout).trim().to_string();
    std::fs::write(&marker, &summary).expect("the marker file");
    summary
}

/// The benchmark's own people and diklat, written next to the dataset (a new set every run).
struct Fixture {
    tag: String,
    panitia: String,
    session_id: i32,
    quiz_id: i32,
    /// The pre-test's own question count, put back after the run: a setting that differs from
    /// the content would make the next start re-sync it and recompute every diklat's standings.
    question_count: i32,
    phones: Vec<String>,
}

async fn write_fixture(db: &domain::Db, participants: usize) -> Fixture {
    let w = db.write();
    // Phones of earlier runs stay: take a prefix no one has yet.
    let mut prefix = None;
    for p in (50..=59).chain(70..=79).map(|n| format!("+628{n}")) {
        let used = person::Entity::find().filter(person::Column::Phone.starts_with(p.as_str())).count(w).await.unwrap();
        if used == 0 {
            prefix = Some(p);
            break;
        }
    }
    let prefix = prefix.expect("a free phone prefix (more than 20 runs on this dataset: generate it again)");
    let tag = format!("BENCH{}", &prefix[4..]);
    let hm = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let people = support::participants(db, participants, &format!("Peserta {tag}"), &prefix).await;
    let today =
        support::diklat_today(db, &tag, &format!("Diklat benchmark {tag}"), (hm(23, 58), hm(23, 59)), &people).await;
    let panitia = format!("panitia-{}@bench.test", tag.to_lowercase());
    support::staff(db, &panitia, types::Role::Panitia, Some(today.regency_id)).await;
    // The module's pre-test, at 20 questions (its content has 10).
    let m = module::Entity::find().filter(module::Column::Slug.eq(SLUG)).one(w).await.unwrap().expect("the module");
    let q = quizzes::quiz_of(w, m.id, quizzes::Phase::Pre).await.expect("its pre-test");
    let mut row = q.clone().into_active_model();
    row.question_count = Set(QUESTIONS);
    row.update(w).await.unwrap();
    Fixture {
        tag,
        panitia,
        session_id: today.session.id,
        quiz_id: q.id,
        question_count: q.question_count,
        phones: people.into_iter().map(|(_, p)| p).collect(),
    }
}

/// Every `/pkg/…` asset a page names (the wasm too: the islands' script loads it).
fn assets_of(html: &str) -> Vec<String> {
    let mut found = BTreeSet::new();
    let mut rest = html;
    while let Some(at) = rest.find("/pkg/") {
        let tail = &rest[at..];
        let end = tail.find(|c: char| c == '"' || c == '\'' || c == ')' || c.is_whitespace()).unwrap_or(tail.len());
        found.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    if !found.iter().any(|a| a.ends_with(".wasm")) {
        found.insert("/pkg/diklat_bg.wasm".into());
    }
    found.into_iter().collect()
}

fn gzip9(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

fn brotli11(bytes: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, ..Default::default() };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out.len()
}

fn main() {
    let o = Opts::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut report = String::new();
    let mut failures: Vec<String> = Vec::new();
    let date = chrono::Utc::now().format("%Y-%m-%d");
    assert!(o.bin.exists(), "{} is missing: build it (cargo leptos build --release)", o.bin.display());
    writeln!(
        report,
        "### {} · {} dataset · {} · {} connections, {} × {} s after a {} s warm-up, median run",
        o.backend(),
        o.scale,
        date,
        o.connections,
        o.runs,
        o.seconds,
        o.warmup
    )
    .unwrap();
    writeln!(report, "\nserver: `{}`\n", o.bin.display()).unwrap();

    let t = Instant::now();
    let dataset = ensure_dataset(&o, &rt);
    writeln!(report, "- {dataset} (ready in {:.1} s this run)", t.elapsed().as_secs_f64()).unwrap();

    // The server, and its first successful response.
    let logs = tempfile::tempdir().unwrap();
    let base = format!("http://127.0.0.1:{}", o.port);
    let started = Instant::now();
    let server = Proc(
        Command::new(&o.bin)
            .arg("serve")
            .args(["--listen", &format!("127.0.0.1:{}", o.port), "--data-dir"])
            .arg(&o.data_dir)
            .arg("--content-dir")
            .arg(&o.content_dir)
            .arg("--site-root")
            .arg(&o.site_root)
            .args(o.db_args())
            .env("DIKLAT_VERIFY_RATE_PER_MINUTE", "4000000000")
            .stdout(std::fs::File::create(logs.path().join("server.log")).unwrap())
            .stderr(std::fs::File::create(logs.path().join("server.err")).unwrap())
            .spawn()
            .expect("diklat serve starts"),
    );
    let pid = server.0.id();
    let client = support::client();
    let first_response = rt.block_on(async {
        loop {
            if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    return started.elapsed();
                }
            }
            assert!(started.elapsed() < Duration::from_secs(120), "the server did not answer within 2 minutes");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    writeln!(
        report,
        "- first successful response {:.0} ms after the process started",
        first_response.as_secs_f64() * 1000.0
    )
    .unwrap();

    let baseline = Proc(
        Command::new(&o.bin)
            .args(["bench-baseline", "--listen", &format!("127.0.0.1:{}", o.port + 1)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the baseline starts"),
    );

    let db = rt.block_on(domain::Db::connect(&o.url(), 4)).expect("the benchmark reaches the database");
    let t = Instant::now();
    let fx = rt.block_on(write_fixture(&db, o.participants));
    eprintln!("fixture {}: {} peserta in {:.1} s", fx.tag, o.participants, t.elapsed().as_secs_f64());

    // Idle: what the server holds after start-up work, with nobody asking.
    let idle_secs = if o.smoke { 1 } else { 10 };
    std::thread::sleep(Duration::from_secs(idle_secs));
    let idle_rss = status_kib(pid, "VmRSS:");
    writeln!(report, "- server RSS idle (after start-up, {idle_secs} s without requests): {}", mib(idle_rss)).unwrap();

    // Sign-ins the scenarios need (not timed).
    let (peserta, pejabat, panitia) = rt.block_on(async {
        (
            sign_in(&client, &base, &domain::dataset::participant_phone(0)).await,
            sign_in(&client, &base, domain::dataset::PEJABAT_LOGIN).await,
            sign_in(&client, &base, &fx.panitia).await,
        )
    });
    let t = Instant::now();
    let cookies = rt.block_on(sign_in_all(&client, &base, &fx.phones));
    eprintln!("{} sign-ins in {:.1} s (before any timing)", cookies.len(), t.elapsed().as_secs_f64());

    let get = |path: &str, cookie: &str| -> (u16, String) {
        rt.block_on(async {
            let mut r = client.get(format!("{base}{path}"));
            if !cookie.is_empty() {
                r = r.header("cookie", cookie);
            }
            let r = r.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        })
    };
    let mut check = |what: &str, ok: bool| {
        if !ok {
            eprintln!("FAILED: {what}");
            failures.push(what.to_string());
        }
    };

    let mut rows: Vec<Row> = Vec::new();
    let br = "Accept-Encoding: gzip, deflate, br".to_string();
    rows.push(measure(
        &o,
        "bare axum handler (`diklat bench-baseline`)",
        &Target {
            url: format!("http://127.0.0.1:{}/", o.port + 1),
            headers: vec![],
            script: None,
            pid: baseline.0.id(),
        },
    ));
    drop(baseline);
    let module = format!("/modul/{SLUG}");
    let scripts = tempfile::tempdir().unwrap();

    // Pages under wrk, each first checked to be the real page for its reader.
    let pages = [
        ("module", "module page, signed-in peserta", module.as_str(), &peserta, "module-progress"),
        ("schedule", "schedule page (`/jadwal`), signed-in peserta", "/jadwal", &peserta, "Aula"),
        (
            "dashboard",
            "dashboard (`/laporan`, the whole country), national pejabat",
            "/laporan",
            &pejabat,
            "data-area=",
        ),
    ];
    for (key, scenario, path, cookie, marker) in pages {
        if !o.wants(key) {
            continue;
        }
        let (status, page) = get(path, cookie);
        check(&format!("{path} answers (200, `{marker}` on the page)"), status == 200 && page.contains(marker));
        let headers = vec![format!("Cookie: {cookie}"), br.clone()];
        rows.push(measure(&o, scenario, &Target { url: format!("{base}{path}"), headers, script: None, pid }));
    }
    if o.wants("verify") {
        // Up to 10,000 codes spread over the certificates: most requests read the database.
        let codes: Vec<String> = rt.block_on(async {
            let n = certificate::Entity::find().count(db.read()).await.unwrap().max(1);
            let step = (n / 10_000).max(1) as i32;
            certificate::Entity::find()
                .select_only()
                .column(certificate::Column::VerificationCode)
                .filter(sea_orm::sea_query::Expr::cust(format!("id % {step} = 0")))
                .limit(10_000)
                .into_tuple()
                .all(db.read())
                .await
                .unwrap()
        });
        let script = scripts.path().join("verify.lua");
        let mut lua = String::from("codes = {\n");
        for c in &codes {
            writeln!(lua, "  \"{c}\",").unwrap();
        }
        lua.push_str(
            "}\ncounter = 0\nrequest = function()\n  counter = counter + 1\n  \
             return wrk.format(\"GET\", \"/verifikasi/\" .. codes[(counter % #codes) + 1])\nend\n",
        );
        std::fs::write(&script, lua).unwrap();
        let (status, page) = get(&format!("/verifikasi/{}", codes[0]), "");
        check("a certificate code verifies", status == 200 && page.contains("Aktif"));
        rows.push(measure(
            &o,
            &format!("certificate verification (`/verifikasi/{{code}}`, {} codes)", codes.len()),
            &Target { url: base.clone(), headers: vec![br.clone()], script: Some(&script), pid },
        ));
    }

    if o.wants("quiz") {
        let (row, stored) =
            rt.block_on(quiz_submissions(&client, &base, &db, &fx, &cookies, o.connections as usize, pid));
        let n = cookies.len();
        check(
            &format!("quiz: {n} attempts submitted once with {QUESTIONS} graded answers each ({stored})"),
            stored == "ok",
        );
        rows.push(row);
    }
    if o.wants("checkin") {
        let (row, stored) = rt.block_on(checkin_burst(&client, &base, &db, &fx, &panitia, &cookies, o.burst_seconds));
        check(
            &format!("check-in: {} stored once each (stored {stored})", cookies.len()),
            stored == cookies.len() as u64,
        );
        rows.push(row);
    }
    if o.wants("login") {
        // Pages read by wrk while the sign-ins arrive at a fixed rate.
        let reader = wrk_command(
            &Target {
                url: format!("{base}{module}"),
                headers: vec![format!("Cookie: {peserta}"), br.clone()],
                script: None,
                pid,
            },
            o.storm_connections,
            o.storm_seconds.ceil() as u32,
        )
        .spawn()
        .expect("wrk runs");
        let logins: Vec<String> = (1..=o.storm as u64).map(domain::dataset::participant_phone).collect();
        let (latencies, errors, wall) = rt.block_on(at_rate(&client, &base, &logins, o.storm_seconds));
        let pages = parse_wrk(&String::from_utf8_lossy(&reader.wait_with_output().unwrap().stdout));
        rows.push(timed_row(
            &format!("login storm: {} sign-ins within {} s", o.storm, o.storm_seconds),
            true,
            latencies,
            wall,
            errors,
        ));
        rows.push(Row {
            scenario: format!("… module page read meanwhile ({} connections)", o.storm_connections),
            open_loop: false,
            rps: pages.rps,
            runs: vec![],
            p50: pages.p50,
            p99: pages.p99,
            errors: pages.errors + u64::from(pages.requests == 0),
            // The sign-ins share the server's CPU over this run.
            cpu: None,
        });
    }

    let mut exports = String::new();
    if o.wants("export") {
        for file in ["bersertifikat.csv", "bersertifikat.xlsx"] {
            let before = status_kib(pid, "VmHWM:");
            let t = Instant::now();
            let (status, bytes) = rt.block_on(async {
                let r = client
                    .get(format!("{base}/laporan/ekspor/{file}"))
                    .header("cookie", &pejabat)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.bytes().await.unwrap_or_default())
            });
            let took = t.elapsed();
            check(&format!("export {file} answers"), status == 200 && !bytes.is_empty());
            let rows_note = if file.ends_with(".csv") {
                format!("{} rows, ", bytes.iter().filter(|b| **b == b'\n').count().saturating_sub(1))
            } else {
                String::new()
            };
            writeln!(
                exports,
                "- export of everyone certified, `{file}`: {rows_note}{:.1} MiB in {:.2} s; server peak RSS {} → {}",
                bytes.len() as f64 / 1048576.0,
                took.as_secs_f64(),
                mib(before),
                mib(status_kib(pid, "VmHWM:"))
            )
            .unwrap();
        }
    }

    // Sizes: the wasm on disk, and what a first visit to a module page transfers.
    let wasm = std::fs::read(o.site_root.join("pkg/diklat_bg.wasm")).unwrap_or_default();
    let (visit, listed) = rt.block_on(async {
        let fetch = |path: String| {
            let client = client.clone();
            let base = base.clone();
            async move {
                let r = client
                    .get(format!("{base}{path}"))
                    .header("accept-encoding", "gzip, deflate, br")
                    .send()
                    .await
                    .unwrap();
                (r.status().is_success(), r.bytes().await.unwrap().len())
            }
        };
        let (_, page) = fetch(module.clone()).await;
        let html = client.get(format!("{base}{module}")).send().await.unwrap().text().await.unwrap();
        let mut total = page;
        let mut listed = vec![format!("page {page}")];
        for asset in assets_of(&html) {
            let name = asset.trim_start_matches("/pkg/").to_string();
            match fetch(asset).await {
                (true, n) => {
                    total += n;
                    listed.push(format!("{name} {n}"));
                }
                (false, _) => listed.push(format!("{name} missing")),
            }
        }
        (total, listed)
    });
    let peak_rss = status_kib(pid, "VmHWM:");

    if wasm.is_empty() {
        writeln!(report, "- wasm bundle: not built (`cargo leptos build --release`)").unwrap();
    } else {
        writeln!(
            report,
            "- wasm bundle `diklat_bg.wasm`: {} bytes raw, {} gzip -9, {} brotli -11",
            wasm.len(),
            gzip9(&wasm),
            brotli11(&wasm)
        )
        .unwrap();
    }
    writeln!(report, "- first visit to a module page (not signed in, as sent): {visit} bytes ({})", listed.join(", "))
        .unwrap();
    writeln!(report, "- server RSS peak over the whole run: {}", mib(peak_rss)).unwrap();
    report.push_str(&exports);
    let bare = rows[0].rps.max(1.0);
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    let micros = |d: Option<Duration>| d.map_or("—".to_string(), |d| format!("{:.0} µs", d.as_secs_f64() * 1e6));
    writeln!(
        report,
        "\n| scenario | req/s | × bare axum | p50 | p99 | errors | server CPU per request | runs (req/s) |"
    )
    .unwrap();
    writeln!(report, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |").unwrap();
    for r in &rows {
        writeln!(
            report,
            "| {} | {:.0} | {} | {} | {} | {} | {} | {} |",
            r.scenario,
            r.rps,
            if r.open_loop { "(fixed rate)".to_string() } else { format!("{:.3}", r.rps / bare) },
            ms(r.p50),
            ms(r.p99),
            r.errors,
            micros(r.cpu),
            r.runs.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(" · ")
        )
        .unwrap();
        if r.errors > 0 {
            failures.push(format!("{}: {} errors", r.scenario, r.errors));
        }
    }
    drop(server);
    rt.block_on(async {
        use sea_orm::sea_query::Expr;
        quiz::Entity::update_many()
            .col_expr(quiz::Column::QuestionCount, Expr::value(fx.question_count))
            .filter(quiz::Column::Id.eq(fx.quiz_id))
            .exec(db.write())
            .await
            .expect("the pre-test's question count is put back")
    });
    println!("{report}");
    if let Some(out) = &o.out {
        std::fs::write(out, &report).expect("the --out file");
    }
    if !failures.is_empty() {
        eprintln!("server log: {}", std::fs::read_to_string(logs.path().join("server.err")).unwrap_or_default());
        eprintln!("{} check(s) failed: {}", failures.len(), failures.join("; "));
        std::process::exit(1);
    }
}

/// Everyone starts the 20-question pre-test (not timed), then `concurrency` clients submit the
/// attempts as fast as the server takes them: the form's 20 answers, *Kumpulkan*, *Saya selesai*.
async fn quiz_submissions(
    client: &reqwest::Client,
    base: &str,
    db: &domain::Db,
    fx: &Fixture,
    cookies: &[String],
    concurrency: usize,
    pid: u32,
) -> (Row, String) {
    let attempts: Vec<i64> = {
        let (client, base, cookies) = (client.clone(), base.to_string(), Arc::new(cookies.to_vec()));
        support::in_parallel(cookies.len(), 16, move |i| {
            let (client, base, cookies) = (client.clone(), base.clone(), cookies.clone());
            async move {
                let r = client
                    .post(format!("{base}/kuis/mulai"))
                    .header("cookie", &cookies[i])
                    .form(&[("slug", SLUG), ("fase", "awal")])
                    .send()
                    .await
                    .unwrap();
                let to = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default();
                to.strip_prefix("/percobaan/").and_then(|id| id.parse().ok()).unwrap_or(-1)
            }
        })
        .await
    };
    let questions = QuestionCache::default();
    let rows = attempt::Entity::find().filter(attempt::Column::QuizId.eq(fx.quiz_id)).all(db.read()).await.unwrap();
    let by_id: std::collections::HashMap<i64, attempt::Model> = rows.into_iter().map(|a| (a.id, a)).collect();
    let mut work = Vec::new();
    for (cookie, id) in cookies.iter().zip(&attempts) {
        if let Some(a) = by_id.get(id) {
            work.push((cookie.clone(), support::answer_form(db.read(), &questions, a, false).await));
        }
    }
    let started_ok = work.len();
    let work = Arc::new(Mutex::new(work));
    let started = Instant::now();
    let cpu_before = cpu_time(pid);
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (client, base, work) = (client.clone(), base.to_string(), work.clone());
        workers.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            loop {
                let Some((cookie, form)) = work.lock().unwrap().pop() else { break };
                let t = Instant::now();
                let r = client.post(format!("{base}/kuis/jawab")).header("cookie", cookie).form(&form).send().await;
                let expected = format!("/percobaan/{}?terkumpul=1", form[0].1);
                let ok = matches!(&r, Ok(r) if r.status().as_u16() == 303
                    && r.headers().get("location").is_some_and(|l| l == expected.as_str()));
                latencies.push(t.elapsed());
                errors += u64::from(!ok);
            }
            (latencies, errors)
        }));
    }
    let (mut latencies, mut errors) = (Vec::new(), (cookies.len() - started_ok) as u64);
    for w in workers {
        let (l, e) = w.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    let wall = started.elapsed();
    let cpu = cpu_time(pid).saturating_sub(cpu_before);
    let of_quiz = || attempt::Entity::find().filter(attempt::Column::QuizId.eq(fx.quiz_id));
    let submitted = of_quiz()
        .filter(attempt::Column::Id.is_in(attempts.iter().copied()))
        .filter(attempt::Column::Status.eq(types::AttemptStatus::Submitted))
        .count(db.read())
        .await
        .unwrap();
    let graded = domain::entities::attempt_answer::Entity::find()
        .filter(domain::entities::attempt_answer::Column::AttemptId.is_in(attempts.iter().copied()))
        .filter(domain::entities::attempt_answer::Column::Fraction.is_not_null())
        .count(db.read())
        .await
        .unwrap();
    let stored = if submitted as usize == cookies.len() && graded as usize == cookies.len() * QUESTIONS as usize {
        "ok".to_string()
    } else {
        format!("{submitted} submitted, {graded} graded answers")
    };
    let answered = latencies.len() as u64;
    let row = timed_row(
        &format!("quiz submission ({QUESTIONS} answers), {concurrency} clients"),
        false,
        latencies,
        wall,
        errors,
    );
    (Row { cpu: per_request(cpu, answered), ..row }, stored)
}

/// The panitia opens check-in; a projector reads the rotating code once a second; every
/// participant checks in once, evenly spread over `seconds`. Returns the row and the rows stored.
async fn checkin_burst(
    client: &reqwest::Client,
    base: &str,
    db: &domain::Db,
    fx: &Fixture,
    panitia: &str,
    cookies: &[String],
    seconds: f64,
) -> (Row, u64) {
    let sid = fx.session_id.to_string();
    let r = client
        .post(format!("{base}/presensi/buka"))
        .header("cookie", panitia)
        .form(&[("sesi", sid.as_str()), ("menit", "30"), ("terlambat", "15")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], format!("/sesi/{sid}/kode"), "check-in opens");
    let code = Arc::new(Mutex::new(String::new()));
    let projector = {
        let (client, url, code, panitia) =
            (client.clone(), format!("{base}/sesi/{sid}/kode"), code.clone(), panitia.to_string());
        tokio::spawn(async move {
            loop {
                if let Ok(r) = client.get(&url).header("cookie", &panitia).send().await {
                    if let Some(c) = support::code_on(&r.text().await.unwrap_or_default()) {
                        *code.lock().unwrap() = c;
                    }
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    while code.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let gap = Duration::from_secs_f64(seconds / cookies.len().max(1) as f64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, cookie) in cookies.iter().cloned().enumerate() {
        let due = started + gap * i as u32;
        let (client, base, code, sid) = (client.clone(), base.to_string(), code.clone(), sid.clone());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due.into()).await;
            let typed = code.lock().unwrap().clone();
            let t = Instant::now();
            let r = client
                .post(format!("{base}/presensi/hadir"))
                .header("cookie", cookie)
                .form(&[("kode", typed.as_str()), ("sesi", sid.as_str())])
                .send()
                .await;
            let ok = matches!(&r, Ok(r) if r.status().as_u16() == 303
                && r.headers().get("location").is_some_and(|l| l == "/presensi"));
            (t.elapsed(), ok)
        }));
    }
    let (latencies, errors) = gather(tasks).await;
    let wall = started.elapsed();
    projector.abort();
    let stored = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.eq(fx.session_id))
        .count(db.read())
        .await
        .unwrap();
    let scenario = format!("check-in burst: {} peserta within {seconds} s", cookies.len());
    (timed_row(&scenario, true, latencies, wall, errors), stored)
}

/// Signs `logins` in, evenly spread over `seconds`; (latencies, errors, wall time).
async fn at_rate(
    client: &reqwest::Client,
    base: &str,
    logins: &[String],
    seconds: f64,
) -> (Vec<Duration>, u64, Duration) {
    let gap = Duration::from_secs_f64(seconds / logins.len().max(1) as f64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, login) in logins.iter().cloned().enumerate() {
        let due = started + gap * i as u32;
        let (client, base) = (client.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(due.into()).await;
            let t = Instant::now();
            let r = client
                .post(format!("{base}/auth/masuk"))
                .form(&[("login", login.as_str()), ("sandi", domain::dataset::PASSWORD), ("ke", "/akun")])
                .send()
                .await;
            let ok = matches!(&r, Ok(r) if r.headers().get("location").is_some_and(|l| l == "/akun"));
            (t.elapsed(), ok)
        }));
    }
    let (latencies, errors) = gather(tasks).await;
    (latencies, errors, started.elapsed())
}

/// Waits for timed requests: their latencies and how many failed.
async fn gather(tasks: Vec<tokio::task::JoinHandle<(Duration, bool)>>) -> (Vec<Duration>, u64) {
    let (mut latencies, mut errors) = (Vec::new(), 0u64);
    for t in tasks {
        let (d, ok) = t.await.unwrap();
        latencies.push(d);
        errors += u64::from(!ok);
    }
    (latencies, errors)
}
