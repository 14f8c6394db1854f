//! The crash test: the real server (`diklat serve`, its own process) under a write-heavy load —
//! participants checking in, participants submitting pre-tests, finishers passing the last
//! post-test (which issues their certificate before the answer), a panitia issuing certificates —
//! killed with SIGKILL at random moments and started again, `--cycles` times. Then the database
//! is checked: every write the client saw acknowledged is there, none twice, certificate numbers
//! without gaps and every signature valid, and the database passes its own integrity check
//! (SQLite `PRAGMA integrity_check` + `foreign_key_check`; PostgreSQL amcheck on every index).
//!
//!     cargo leptos build --release
//!     cargo run --release -p server --example crash                 # SQLite (WAL), 100 cycles
//!     cargo run --release -p server --example crash -- --database-url postgres://postgres@127.0.0.1:5432/diklat_crash
//!     cargo run -p server --example crash -- --smoke                # 3 cycles; what ./test.sh runs
//!
//! Options: `--cycles N`, `--participants N`, `--finishers N`, `--seed N` (the kill moments; printed, to rerun one),
//! `--max-up-ms N` (the longest load before a kill: 1200, or 3000 with `--smoke`),
//! `--bin PATH`, `--site-root DIR`. The PostgreSQL database named is dropped and made anew.
//! Exits 1, naming the check, when anything acknowledged is missing or doubled.

mod support;

use domain::{
    entities::{attempt, attempt_answer, attendance, certificate, module},
    services::quizzes::{self, Phase, QuestionCache},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter, Set, Statement,
};
use std::{
    collections::{BTreeMap, HashMap, HashSet},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use support::{arg, sign_in_all};

const PORT: u16 = 3196;

struct Opts {
    cycles: usize,
    /// Each cycle's load runs for a random time up to this long before the kill.
    max_up: Duration,
    participants: usize,
    finishers: usize,
    seed: u64,
    bin: PathBuf,
    site_root: PathBuf,
    database_url: Option<String>,
}

impl Opts {
    fn parse() -> Opts {
        let smoke = std::env::args().any(|a| a == "--smoke");
        let cycles = arg("--cycles").map(|v| v.parse().expect("--cycles N")).unwrap_or(if smoke { 3 } else { 100 });
        let seed = arg("--seed").map(|v| v.parse().expect("--seed N")).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        Opts {
            cycles,
            // A debug build (the smoke run) answers a bulk certificate issue in about a second.
            max_up: Duration::from_millis(
                arg("--max-up-ms").map(|v| v.parse().expect("--max-up-ms N")).unwrap_or(if smoke {
                    3000
                } else {
                    1200
                }),
            ),
            participants: arg("--participants")
                .map(|v| v.parse().expect("--participants N"))
                .unwrap_or(40 + 12 * cycles),
            finishers: arg("--finishers").map(|v| v.parse().expect("--finishers N")).unwrap_or(20 + 4 * cycles),
            seed,
            bin: arg("--bin").map(PathBuf::from).unwrap_or_else(|| "target/release/diklat".into()),
            site_root: arg("--site-root").map(PathBuf::from).unwrap_or_else(|| "target/site".into()),
            database_url: arg("--database-url"),
        }
    }
}

/// A small PRNG (xorshift64*) for the kill moments, so a seed reproduces a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the client saw acknowledged, and what it sent without an answer.
#[derive(Default)]
struct Ledger {
    checkins: HashSet<i32>,
    submitted: HashSet<i64>,
    /// Finishers whose passed post-test was answered: their certificate was issued before the answer.
    finished: HashSet<i32>,
    certificates: usize,
    unanswered: usize,
}

struct Fixture {
    diklat_id: i32,
    session_id: i32,
    panitia: String,
    people: Vec<(i32, String)>,
    slugs: Vec<String>,
    /// The pre-tests the load submits (the post-tests are written passed by the fixture).
    pre_tests: Vec<i32>,
    /// People present with every post-test passed but the last module's: passing it (the load
    /// does) completes the diklat, and the certificate is issued before the answer is sent.
    finishers: Vec<(i32, String)>,
    last_slug: String,
}

fn main() {
    let o = Opts::parse();
    assert!(o.bin.exists(), "{} is missing: build it (cargo leptos build --release)", o.bin.display());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let data = tempfile::tempdir().unwrap();
    let url = match &o.database_url {
        Some(url) => {
            rt.block_on(fresh_database(url));
            url.clone()
        }
        None => format!("sqlite://{}", data.path().join("diklat.db").display()),
    };
    let backend = if o.database_url.is_some() { "PostgreSQL" } else { "SQLite (WAL)" };
    eprintln!("crash test: {backend}, {} cycles, {} participants, seed {}", o.cycles, o.participants, o.seed);
    let serve = |log: &str, demo: bool| -> Child {
        let mut c = Command::new(&o.bin);
        if demo {
            c.arg("--demo");
        }
        c.args(["--listen", &format!("127.0.0.1:{PORT}"), "--content-dir", "content", "--data-dir"])
            .arg(data.path())
            .arg("--site-root")
            .arg(&o.site_root)
            .args(["--database-url", &url])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(data.path().join(log)).unwrap());
        c.spawn().expect("diklat serve starts")
    };
    let base = format!("http://127.0.0.1:{PORT}");
    let client = support::client();

    // The schema, content and demo regions from one start, then the fixture written beside it.
    let mut server = serve("first.log", true);
    rt.block_on(healthy(&client, &base)).expect("the first start answers");
    server.kill().unwrap();
    server.wait().unwrap();
    let db = rt.block_on(domain::Db::connect(&url, 4)).expect("the database");
    let fx = rt.block_on(write_fixture(&db, o.participants, o.finishers));
    let mut server = serve("0.log", false);
    rt.block_on(healthy(&client, &base)).expect("the server answers");
    let panitia = rt.block_on(support::sign_in(&client, &base, &fx.panitia));
    let phones: Vec<String> = fx.people.iter().map(|(_, p)| p.clone()).collect();
    let cookies = rt.block_on(sign_in_all(&client, &base, &phones));
    let finisher_phones: Vec<String> = fx.finishers.iter().map(|(_, p)| p.clone()).collect();
    let finisher_cookies = rt.block_on(sign_in_all(&client, &base, &finisher_phones));
    let finishers: Vec<(i32, String)> = fx.finishers.iter().map(|(id, _)| *id).zip(finisher_cookies).collect();
    let opened = rt
        .block_on(
            client
                .post(format!("{base}/presensi/buka"))
                .header("cookie", &panitia)
                .form(&[("sesi", fx.session_id.to_string()), ("menit", "600".into()), ("terlambat", "120".into())])
                .send(),
        )
        .expect("the server answers");
    let projector_page = format!("/sesi/{}/kode", fx.session_id);
    assert_eq!(
        opened.headers().get("location").and_then(|l| l.to_str().ok()),
        Some(projector_page.as_str()),
        "check-in opens"
    );

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let next_checkin = Arc::new(AtomicUsize::new(0));
    let next_quiz = Arc::new(AtomicUsize::new(0));
    let next_finisher = Arc::new(AtomicUsize::new(0));
    let mut rng = Rng(o.seed | 1);
    let (mut uptimes, mut restarts) = (Vec::new(), Vec::new());
    let started = Instant::now();
    for cycle in 1..=o.cycles {
        let load = rt.block_on(async {
            let mut tasks = Vec::new();
            tasks.push(tokio::spawn(projector(client.clone(), base.clone(), panitia.clone(), fx.session_id)));
            for _ in 0..3 {
                tasks.push(tokio::spawn(checkins(
                    client.clone(),
                    base.clone(),
                    cookies.clone(),
                    fx.people.clone(),
                    fx.session_id,
                    next_checkin.clone(),
                    ledger.clone(),
                )));
            }
            for _ in 0..2 {
                tasks.push(tokio::spawn(quizzes_submitted(
                    client.clone(),
                    base.clone(),
                    db.clone(),
                    cookies.clone(),
                    fx.slugs.clone(),
                    next_quiz.clone(),
                    ledger.clone(),
                )));
            }
            tasks.push(tokio::spawn(finishing(
                client.clone(),
                base.clone(),
                db.clone(),
                finishers.clone(),
                fx.last_slug.clone(),
                next_finisher.clone(),
                ledger.clone(),
            )));
            tasks.push(tokio::spawn(issuer(
                client.clone(),
                base.clone(),
                panitia.clone(),
                fx.diklat_id,
                ledger.clone(),
            )));
            tasks
        });
        // A random moment in the load: 50 ms to `max_up` after the server answered.
        let up = Duration::from_millis(50) + o.max_up.saturating_sub(Duration::from_millis(50)).mul_f64(rng.next());
        std::thread::sleep(up);
        server.kill().unwrap();
        server.wait().unwrap();
        uptimes.push(up);
        rt.block_on(async {
            for t in load {
                t.abort();
                let _ = t.await;
            }
        });
        if cycle == o.cycles {
            break;
        }
        let t = Instant::now();
        server = serve(&format!("{cycle}.log"), false);
        if let Err(e) = rt.block_on(healthy(&client, &base)) {
            let log = std::fs::read_to_string(data.path().join(format!("{cycle}.log"))).unwrap_or_default();
            panic!("cycle {cycle}: the server did not come back after kill -9: {e}\n{log}");
        }
        restarts.push(t.elapsed());
        if cycle % 10 == 0 {
            let l = ledger.lock().unwrap();
            eprintln!(
                "  {cycle} kills: {} check-ins, {} quiz submissions, {} diklat completed, {} certificates (bulk) acknowledged",
                l.checkins.len(),
                l.submitted.len(),
                l.finished.len(),
                l.certificates
            );
        }
    }
    let wall = started.elapsed();

    // The checks, on the database the last kill left.
    let l = ledger.lock().unwrap();
    let key = domain::signing::CertificateKey::load_or_create(data.path()).expect("the signing key");
    let report = rt.block_on(check(&db, &fx, &l, &key.public_b64()));
    restarts.sort();
    let p =
        |q: f64| restarts.get(((restarts.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or_default();
    let mean_up = uptimes.iter().sum::<Duration>() / uptimes.len().max(1) as u32;
    println!("## Crash test: {backend}, {} × kill -9 (seed {})\n", o.cycles, o.seed);
    println!("| figure | value |\n| --- | --- |");
    println!(
        "| kills (SIGKILL under load) | {} in {:.1} s; up {:.0} ms on average before each |",
        o.cycles,
        wall.as_secs_f64(),
        mean_up.as_secs_f64() * 1000.0
    );
    println!(
        "| restart to first /healthz | p50 {:.0} ms, p99 {:.0} ms |",
        p(0.5).as_secs_f64() * 1000.0,
        p(0.99).as_secs_f64() * 1000.0
    );
    println!("| check-ins acknowledged | {} (stored: {}) |", l.checkins.len(), report.stored_checkins);
    println!(
        "| quiz submissions acknowledged | {} (submitted attempts stored: {}) |",
        l.submitted.len(),
        report.stored_submitted
    );
    println!(
        "| certificates acknowledged | {} by a passed last post-test, {} by a bulk issue (stored: {}) |",
        l.finished.len(),
        l.certificates,
        report.stored_certificates
    );
    println!("| requests cut off by a kill (no answer) | {} |", l.unanswered);
    println!("| integrity check | {} |", report.integrity);
    println!("| violations | {} |", report.violations.len());
    for v in &report.violations {
        println!("- VIOLATION: {v}");
    }
    rt.block_on(db.close());
    if let Some(url) = &o.database_url {
        rt.block_on(drop_database(url));
    }
    if !report.violations.is_empty() {
        std::process::exit(1);
    }
}

async fn healthy(client: &reqwest::Client, base: &str) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(format!("{base}/healthz")).send().await {
            Ok(r) if r.status().is_success() => return Ok(()),
            _ if Instant::now() > until => return Err("no answer within 60 s".into()),
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn fresh_database(url: &str) {
    let (admin, name) = url.rsplit_once('/').expect("a database name in the URL");
    let conn = Database::connect(format!("{admin}/postgres")).await.expect("PostgreSQL answers");
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.unwrap();
}

async fn drop_database(url: &str) {
    let (admin, name) = url.rsplit_once('/').expect("a database name in the URL");
    let conn = Database::connect(format!("{admin}/postgres")).await.expect("PostgreSQL answers");
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
}

/// A diklat with one session today, its participants enrolled with every post-test passed (so a
/// check-in is all they lack for a certificate), its finishers (present, one post-test to pass),
/// and a panitia for it.
async fn write_fixture(db: &domain::Db, participants: usize, finishers: usize) -> Fixture {
    let w = db.write();
    let now = chrono::Utc::now();
    let people = support::participants(db, participants, "Peserta Crash", "+62851").await;
    let finishers = support::participants(db, finishers, "Peserta Selesai", "+62852").await;
    let whole_day = (chrono::NaiveTime::MIN, chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap());
    let everyone: Vec<_> = people.iter().chain(&finishers).cloned().collect();
    let today = support::diklat_today(db, "CRASH", "Diklat uji crash", whole_day, &everyone).await;
    let panitia = "panitia-crash@uji.test".to_string();
    support::staff(db, &panitia, types::Role::Panitia, Some(today.regency_id)).await;
    let mut post_tests = Vec::new();
    for m in module::Entity::find().all(w).await.unwrap() {
        if let Ok(q) = quizzes::quiz_of(w, m.id, Phase::Post).await {
            post_tests.push((m.slug.clone(), q, quizzes::current_bank(w, m.id).await.unwrap().bank_id));
        }
    }
    let (last_slug, ..) = post_tests.last().cloned().expect("a module with a post-test");
    for (person_id, _) in &everyone {
        let finisher = finishers.iter().any(|(id, _)| id == person_id);
        for (slug, q, bank) in &post_tests {
            if !(finisher && *slug == last_slug) {
                quizzes::scored_attempt(q, *person_id, *bank, 100.0, (now, now), Some(today.diklat.id))
                    .insert(w)
                    .await
                    .unwrap();
            }
        }
    }
    for chunk in finishers.chunks(500) {
        attendance::Entity::insert_many(chunk.iter().map(|(id, _)| attendance::ActiveModel {
            diklat_session_id: Set(today.session.id),
            person_id: Set(*id),
            status: Set(types::Attendance::Hadir),
            source: Set(types::MarkSource::Paper),
            marked_at: Set(now),
            version: Set(1),
            ..Default::default()
        }))
        .exec_without_returning(w)
        .await
        .unwrap();
    }
    let modules = module::Entity::find().all(w).await.unwrap();
    let (mut slugs, mut pre_tests) = (Vec::new(), Vec::new());
    for m in &modules {
        if let Ok(q) = quizzes::quiz_of(w, m.id, Phase::Pre).await {
            slugs.push(m.slug.clone());
            pre_tests.push(q.id);
        }
    }
    Fixture {
        diklat_id: today.diklat.id,
        session_id: today.session.id,
        panitia,
        people,
        slugs,
        pre_tests,
        finishers,
        last_slug,
    }
}

static CODE: Mutex<String> = Mutex::new(String::new());

/// The projector: reads the rotating check-in code, as the room's screen shows it.
async fn projector(client: reqwest::Client, base: String, panitia: String, session_id: i32) {
    loop {
        if let Ok(r) = client.get(format!("{base}/sesi/{session_id}/kode")).header("cookie", &panitia).send().await {
            if let Some(code) = support::code_on(&r.text().await.unwrap_or_default()) {
                *CODE.lock().unwrap() = code;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Participants checking in one after another; a check-in counts once the server answered it.
async fn checkins(
    client: reqwest::Client,
    base: String,
    cookies: Vec<String>,
    people: Vec<(i32, String)>,
    session_id: i32,
    next: Arc<AtomicUsize>,
    ledger: Arc<Mutex<Ledger>>,
) {
    loop {
        let code = CODE.lock().unwrap().clone();
        if code.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        let i = next.fetch_add(1, Ordering::SeqCst);
        if i >= people.len() {
            return;
        }
        let r = client
            .post(format!("{base}/presensi/hadir"))
            .header("cookie", &cookies[i])
            .form(&[("kode", code.as_str()), ("sesi", &session_id.to_string())])
            .send()
            .await;
        match r {
            Ok(r) if r.status().as_u16() == 303 && r.headers().get("location").is_some_and(|l| l == "/presensi") => {
                ledger.lock().unwrap().checkins.insert(people[i].0);
            }
            Ok(r) => panic!("check-in of participant {i}: {} {:?}", r.status(), r.headers().get("location")),
            Err(_) => {
                // Cut off by the kill: it may or may not be stored (the checks allow either).
                ledger.lock().unwrap().unanswered += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// What became of one test a load task took.
enum Taken {
    /// The answers were acknowledged: the attempt id.
    Submitted(i64),
    /// The server answered something else (or the attempt could not be read).
    Other,
    /// No answer: cut off by a kill.
    CutOff,
}

/// Starts the `fase` test of `slug` and submits every question, half of them right or all.
async fn take_test(
    (client, base, db): (&reqwest::Client, &str, &domain::Db),
    questions: &QuestionCache,
    cookie: &str,
    (slug, fase): (&str, &str),
    all_right: bool,
) -> Taken {
    let started = client
        .post(format!("{base}/kuis/mulai"))
        .header("cookie", cookie)
        .form(&[("slug", slug), ("fase", fase)])
        .send();
    let Ok(started) = started.await else { return Taken::CutOff };
    let to = started.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
    let Some(id) = to.strip_prefix("/percobaan/").and_then(|id| id.parse::<i64>().ok()) else { return Taken::Other };
    let Ok(Some(a)) = attempt::Entity::find_by_id(id).one(db.read()).await else { return Taken::Other };
    let form = support::answer_form(db.read(), questions, &a, all_right).await;
    match client.post(format!("{base}/kuis/jawab")).header("cookie", cookie).form(&form).send().await {
        Ok(r)
            if r.status().as_u16() == 303
                && r.headers().get("location").is_some_and(|l| *l == format!("/percobaan/{id}?terkumpul=1")) =>
        {
            Taken::Submitted(id)
        }
        Ok(_) => Taken::Other,
        Err(_) => Taken::CutOff,
    }
}

/// Participants starting and submitting pre-tests (every question answered).
async fn quizzes_submitted(
    client: reqwest::Client,
    base: String,
    db: domain::Db,
    cookies: Vec<String>,
    slugs: Vec<String>,
    next: Arc<AtomicUsize>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let questions = QuestionCache::default();
    loop {
        let n = next.fetch_add(1, Ordering::SeqCst);
        let (who, slug) = (n / slugs.len(), &slugs[n % slugs.len()]);
        if who >= cookies.len() {
            return;
        }
        match take_test((&client, &base, &db), &questions, &cookies[who], (slug, "awal"), false).await {
            Taken::Submitted(id) => drop(ledger.lock().unwrap().submitted.insert(id)),
            Taken::Other => {}
            Taken::CutOff => ledger.lock().unwrap().unanswered += 1,
        }
    }
}

/// Finishers in turn passing their last post-test: an answered submission means the diklat is
/// complete and its certificate was issued (the server issues it before it answers).
async fn finishing(
    client: reqwest::Client,
    base: String,
    db: domain::Db,
    // (person id, session cookie)
    finishers: Vec<(i32, String)>,
    slug: String,
    next: Arc<AtomicUsize>,
    ledger: Arc<Mutex<Ledger>>,
) {
    let questions = QuestionCache::default();
    loop {
        let who = next.fetch_add(1, Ordering::SeqCst);
        if who >= finishers.len() {
            return;
        }
        match take_test((&client, &base, &db), &questions, &finishers[who].1, (&slug, "akhir"), true).await {
            Taken::Submitted(_) => drop(ledger.lock().unwrap().finished.insert(finishers[who].0)),
            Taken::Other => {}
            Taken::CutOff => ledger.lock().unwrap().unanswered += 1,
        }
    }
}

/// A panitia issuing certificates every 300 ms; the flash on the page says how many were issued.
async fn issuer(client: reqwest::Client, base: String, panitia: String, diklat_id: i32, ledger: Arc<Mutex<Ledger>>) {
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let r = client
            .post(format!("{base}/diklat/{diklat_id}/sertifikat/terbitkan"))
            .header("cookie", &panitia)
            .form(&[("yakin", "1")])
            .send()
            .await;
        let Ok(r) = r else {
            ledger.lock().unwrap().unanswered += 1;
            continue;
        };
        let Some(back) = r.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string) else {
            continue;
        };
        let Ok(page) = client.get(format!("{base}{back}")).header("cookie", &panitia).send().await else { continue };
        let page = page.text().await.unwrap_or_default().replace("<!>", "");
        if let Some(at) = page.find(" sertifikat diterbitkan.") {
            let digits: String =
                page[..at].chars().rev().take_while(char::is_ascii_digit).collect::<String>().chars().rev().collect();
            ledger.lock().unwrap().certificates += digits.parse::<usize>().unwrap_or(0);
        }
    }
}

struct Report {
    stored_checkins: u64,
    stored_submitted: u64,
    stored_certificates: u64,
    integrity: String,
    violations: Vec<String>,
}

async fn check(db: &domain::Db, fx: &Fixture, l: &Ledger, public_key: &str) -> Report {
    let r = db.read();
    let mut violations = Vec::new();
    // Check-ins: every acknowledged one there, nobody twice.
    let marks =
        attendance::Entity::find().filter(attendance::Column::DiklatSessionId.eq(fx.session_id)).all(r).await.unwrap();
    let mut per_person: HashMap<i32, usize> = HashMap::new();
    for m in &marks {
        *per_person.entry(m.person_id).or_default() += 1;
    }
    for p in &l.checkins {
        if !per_person.contains_key(p) {
            violations.push(format!("acknowledged check-in of person {p} is missing"));
        }
    }
    for (p, n) in &per_person {
        if *n > 1 {
            violations.push(format!("person {p} is marked {n} times in one session"));
        }
    }
    // Quiz submissions: every acknowledged attempt submitted, with its answers once each.
    let submitted: Vec<attempt::Model> =
        attempt::Entity::find().filter(attempt::Column::Id.is_in(l.submitted.iter().copied())).all(r).await.unwrap();
    let by_id: HashMap<i64, &attempt::Model> = submitted.iter().map(|a| (a.id, a)).collect();
    for id in &l.submitted {
        match by_id.get(id) {
            Some(a) if a.status == types::AttemptStatus::Submitted => {}
            Some(a) => violations.push(format!("acknowledged attempt {id} is `{}`, not submitted", a.status)),
            None => violations.push(format!("acknowledged attempt {id} is missing")),
        }
    }
    let answers = attempt_answer::Entity::find()
        .filter(attempt_answer::Column::AttemptId.is_in(l.submitted.iter().copied()))
        .all(r)
        .await
        .unwrap();
    let mut seen: BTreeMap<(i64, i32), usize> = BTreeMap::new();
    for a in &answers {
        *seen.entry((a.attempt_id, a.question_id)).or_default() += 1;
        if a.fraction.is_none() {
            violations.push(format!("attempt {}: question {} is not graded", a.attempt_id, a.question_id));
        }
    }
    if let Some(((a, q), n)) = seen.iter().find(|(_, n)| **n > 1) {
        violations.push(format!("attempt {a}: question {q} answered {n} times"));
    }
    let stored_submitted = attempt::Entity::find()
        .filter(attempt::Column::PersonId.is_in(fx.people.iter().map(|(id, _)| *id)))
        .filter(attempt::Column::QuizId.is_in(fx.pre_tests.iter().copied()))
        .filter(attempt::Column::Status.eq(types::AttemptStatus::Submitted))
        .count(r)
        .await
        .unwrap();
    // Certificates: at least what was acknowledged, one per person, numbered 1..n, signed.
    let certs =
        certificate::Entity::find().filter(certificate::Column::DiklatId.eq(fx.diklat_id)).all(r).await.unwrap();
    if certs.len() < l.certificates {
        violations.push(format!("{} certificates acknowledged, {} stored", l.certificates, certs.len()));
    }
    let holders: HashSet<i32> = certs.iter().map(|c| c.person_id).collect();
    for p in &l.finished {
        if !holders.contains(p) {
            violations.push(format!("person {p} passed the last post-test (acknowledged) but has no certificate"));
        }
    }
    if holders.len() != certs.len() {
        violations.push(format!("{} certificates for {} people", certs.len(), holders.len()));
    }
    let mut seqs: Vec<i32> = certs.iter().map(|c| c.seq).collect();
    seqs.sort();
    if seqs != (1..=certs.len() as i32).collect::<Vec<_>>() {
        violations.push(format!("certificate numbers have gaps or repeats: {seqs:?}"));
    }
    for c in &certs {
        if !per_person.contains_key(&c.person_id) {
            violations.push(format!("certificate {} went to someone without a check-in", c.number));
        }
        if !domain::signing::verify(public_key, c.payload.as_bytes(), &c.signature) {
            violations.push(format!("certificate {}: the signature does not verify", c.number));
        }
    }
    let integrity = integrity(db).await;
    if !integrity.starts_with("ok") {
        violations.push(format!("integrity check: {integrity}"));
    }
    Report {
        stored_checkins: marks.len() as u64,
        stored_submitted,
        stored_certificates: certs.len() as u64,
        integrity,
        violations,
    }
}

/// SQLite: `PRAGMA integrity_check` and `foreign_key_check`. PostgreSQL: amcheck's
/// `bt_index_check` on every index of the schema (the extension is made in this throwaway database).
async fn integrity(db: &domain::Db) -> String {
    let w = db.write();
    let backend = w.get_database_backend();
    let all = |sql: &str| w.query_all_raw(Statement::from_string(backend, sql.to_string()));
    match db.backend() {
        domain::Backend::Sqlite => {
            let rows = all("PRAGMA integrity_check").await.unwrap();
            let verdict: Vec<String> = rows.iter().filter_map(|r| r.try_get_by_index::<String>(0).ok()).collect();
            if verdict != ["ok"] {
                return verdict.join("; ");
            }
            let broken = all("PRAGMA foreign_key_check").await.unwrap();
            if broken.is_empty() {
                "ok".into()
            } else {
                format!("{} rows break a foreign key", broken.len())
            }
        }
        domain::Backend::Postgres => {
            w.execute_unprepared("CREATE EXTENSION IF NOT EXISTS amcheck").await.unwrap();
            let sql = "SELECT c.relname AS name, bt_index_check(c.oid, true)::text AS checked FROM pg_index i \
                       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
                       JOIN pg_am am ON am.oid = c.relam WHERE n.nspname = 'public' AND am.amname = 'btree'";
            match all(sql).await {
                Ok(rows) => format!("ok (amcheck: {} B-tree indexes)", rows.len()),
                Err(e) => e.to_string(),
            }
        }
    }
}
