//! Benchmark: a check-in burst. `--participants` distinct peserta (default 2,000) check themselves
//! in to one session within `--seconds` (default 10), evenly spread, over HTTP, with the code a
//! projector shows (read from `/sesi/{id}/kode` as it rotates). Reports p50/p99/max latency and
//! checks that every check-in was stored exactly once.
//!
//!     cargo run --release -p server --example bench_checkin
//!     cargo run --release -p server --example bench_checkin -- --postgres postgres://postgres@127.0.0.1:5432/test
//!
//! The server runs in this process on its own 2-thread runtime; the load generator runs on a
//! separate runtime (threads of its own), so both share the machine's two cores as they would
//! with a separate process. Run it from the repository root (it reads ./content).

use chrono::{NaiveTime, Utc};
use domain::{
    entities::{account, attendance, diklat, diklat_session, enrolment, person, regency, role_grant},
    services::schedule::today_wib,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, Database, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use server::{Application, Config};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

const PASSWORD: &str = "sandi-bench-presensi";

struct Fixture {
    session_id: i32,
    phones: Vec<String>,
}

/// Writes the people, their accounts (one shared password hash), a diklat with a session today,
/// enrolments and a panitia account.
async fn fixture(db: &domain::Db, participants: usize) -> Fixture {
    let w = db.write();
    let now = Utc::now();
    let hash = domain::password::hash(PASSWORD);
    let malang = regency::Entity::find().filter(regency::Column::Code.eq("3573")).one(w).await.unwrap().unwrap();
    let coop = domain::entities::cooperative::Entity::find().one(w).await.unwrap().unwrap();
    let today = today_wib(now);
    let d = diklat::ActiveModel {
        code: Set("BENCH".into()),
        name: Set("Diklat benchmark".into()),
        venue: Set("Bench".into()),
        starts_on: Set(today),
        ends_on: Set(today),
        total_jp: Set(8),
        status: Set("running".into()),
        province_id: Set(Some(malang.province_id)),
        regency_id: Set(Some(malang.id)),
        min_attendance_pct: Set(80),
        require_pretests: Set(false),
        certificate_prefix: Set("BENCH".into()),
        next_certificate_seq: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    let s = diklat_session::ActiveModel {
        diklat_id: Set(d.id),
        session_date: Set(today),
        starts_at: Set(NaiveTime::from_hms_opt(23, 58, 0).unwrap()),
        ends_at: Set(NaiveTime::from_hms_opt(23, 59, 0).unwrap()),
        title: Set("Sesi benchmark".into()),
        room: Set("Aula".into()),
        jp: Set(2),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    let mut phones = Vec::new();
    let staff = person::ActiveModel {
        full_name: Set("Panitia Bench".into()),
        email: Set(Some("panitia@bench.test".into())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    let people: Vec<person::ActiveModel> = (0..participants)
        .map(|i| {
            let phone = format!("+62858{:08}", i);
            phones.push(phone.clone());
            person::ActiveModel {
                full_name: Set(format!("Peserta Bench {i}")),
                phone: Set(Some(phone)),
                cooperative_id: Set(Some(coop.id)),
                position: Set(Some("anggota_pengawas".into())),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in people.chunks(500) {
        person::Entity::insert_many(chunk.to_vec()).exec_without_returning(w).await.unwrap();
    }
    let ids: Vec<person::Model> =
        person::Entity::find().filter(person::Column::FullName.starts_with("Peserta Bench")).all(w).await.unwrap();
    let account_of = |person_id: i32| account::ActiveModel {
        person_id: Set(person_id),
        password_hash: Set(Some(hash.clone())),
        password_changed_at: Set(Some(now)),
        is_active: Set(true),
        created_at: Set(now),
        ..Default::default()
    };
    let panitia = account_of(staff.id).insert(w).await.unwrap();
    role_grant::ActiveModel {
        account_id: Set(panitia.id),
        role: Set("panitia".into()),
        regency_id: Set(Some(malang.id)),
        granted_at: Set(now),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    for chunk in ids.chunks(500) {
        account::Entity::insert_many(chunk.iter().map(|p| account_of(p.id))).exec_without_returning(w).await.unwrap();
        enrolment::Entity::insert_many(chunk.iter().map(|p| enrolment::ActiveModel {
            diklat_id: Set(d.id),
            person_id: Set(p.id),
            status: Set("enrolled".into()),
            enrolled_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(w)
        .await
        .unwrap();
    }
    let accounts =
        account::Entity::find().filter(account::Column::PersonId.is_in(ids.iter().map(|p| p.id))).all(w).await.unwrap();
    for chunk in accounts.chunks(500) {
        role_grant::Entity::insert_many(chunk.iter().map(|a| role_grant::ActiveModel {
            account_id: Set(a.id),
            role: Set("peserta".into()),
            granted_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(w)
        .await
        .unwrap();
    }
    Fixture { session_id: s.id, phones }
}

fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("diklat_sesi="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

async fn sign_in(client: &reqwest::Client, base: &str, login: &str) -> String {
    let r = client
        .post(format!("{base}/auth/masuk"))
        .form(&[("login", login), ("sandi", PASSWORD), ("ke", "/akun")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/akun", "{login} signs in");
    session_cookie(&r)
}

fn code_on(page: &str) -> Option<String> {
    let at = page.find(r#"data-testid="code""#)?;
    let start = at + page[at..].find('>')? + 1;
    Some(page[start..start + page[start..].find('<')?].trim().to_string())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let participants: usize = arg("--participants").and_then(|r| r.parse().ok()).unwrap_or(2000);
    let seconds: f64 = arg("--seconds").and_then(|r| r.parse().ok()).unwrap_or(10.0);
    let postgres = arg("--postgres");
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let pg_name = format!("diklat_bench_checkin_{}", std::process::id());
    let url = postgres.as_deref().map(|admin| {
        server_rt.block_on(async {
            let conn = Database::connect(admin).await.unwrap();
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{pg_name}\" WITH (FORCE)")).await.unwrap();
            conn.execute_unprepared(&format!("CREATE DATABASE \"{pg_name}\"")).await.unwrap();
            format!("{}/{pg_name}", admin.rsplit_once('/').unwrap().0)
        })
    });
    let config = Config::for_test(dir.path().to_path_buf(), "content".into(), url);
    let (addr, state) = server_rt.block_on(async {
        let app = Application::build(config).await.expect("the application starts");
        let (addr, state) = (app.addr(), app.state().clone());
        tokio::spawn(app.run_until_stopped());
        (addr, state)
    });
    let base = format!("http://{addr}");
    println!(
        "check-in burst: {participants} participants within {seconds} s, {}, {} build",
        if postgres.is_some() { "PostgreSQL" } else { "SQLite" },
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let t = Instant::now();
    let fx = server_rt.block_on(fixture(&state.db, participants));
    println!("  fixture written in {:.1} s", t.elapsed().as_secs_f64());

    let report = client_rt.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(256)
            .build()
            .unwrap();
        let panitia = sign_in(&client, &base, "panitia@bench.test").await;
        let sid = fx.session_id.to_string();
        let r = client
            .post(format!("{base}/presensi/buka"))
            .header("cookie", &panitia)
            .form(&[("sesi", sid.as_str()), ("menit", "30"), ("terlambat", "15")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], format!("/sesi/{}/kode", fx.session_id), "check-in opens");

        // Sign everyone in first (Argon2 is deliberately slow: this is not part of the burst).
        let t = Instant::now();
        let cookies = Arc::new(Mutex::new(vec![String::new(); participants]));
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut workers = Vec::new();
        for _ in 0..8 {
            let (client, base, cookies, next, phones) =
                (client.clone(), base.clone(), cookies.clone(), next.clone(), fx.phones.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= phones.len() {
                        break;
                    }
                    let c = sign_in(&client, &base, &phones[i]).await;
                    cookies.lock().unwrap()[i] = c;
                }
            }));
        }
        for w in workers {
            w.await.unwrap();
        }
        println!("  {participants} sign-ins in {:.1} s (before the burst)", t.elapsed().as_secs_f64());

        // The projector: the code as it rotates, read once a second.
        let code = Arc::new(Mutex::new(String::new()));
        let projector = {
            let (client, base, code, panitia, id) =
                (client.clone(), base.clone(), code.clone(), panitia.clone(), fx.session_id);
            tokio::spawn(async move {
                loop {
                    let page = client
                        .get(format!("{base}/sesi/{id}/kode"))
                        .header("cookie", &panitia)
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    if let Some(c) = code_on(&page) {
                        *code.lock().unwrap() = c;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            })
        };
        while code.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let cookies: Vec<String> = cookies.lock().unwrap().clone();
        let gap = Duration::from_secs_f64(seconds / participants as f64);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for (i, cookie) in cookies.into_iter().enumerate() {
            let due = started + gap * i as u32;
            let (client, base, code, sid) = (client.clone(), base.clone(), code.clone(), sid.clone());
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
                let ok = matches!(&r, Ok(r) if r.status().as_u16() == 303 && r.headers()["location"] == "/presensi");
                (t.elapsed(), ok)
            }));
        }
        let mut latencies = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (d, ok) = t.await.unwrap();
            latencies.push(d);
            if !ok {
                errors += 1;
            }
        }
        let wall = started.elapsed();
        projector.abort();
        latencies.sort();
        (latencies, errors, wall)
    });
    let (latencies, errors, wall) = report;
    let stored = server_rt.block_on(async {
        attendance::Entity::find()
            .filter(attendance::Column::DiklatSessionId.eq(fx.session_id))
            .count(state.db.read())
            .await
            .unwrap()
    });
    println!(
        "  burst: {} check-ins in {:.2} s ({:.0}/s) · p50 {:.1} ms · p99 {:.1} ms · max {:.1} ms · errors {errors}",
        latencies.len(),
        wall.as_secs_f64(),
        latencies.len() as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
    println!("  stored: {stored} attendance rows for {participants} participants (unique per person and session)");
    assert_eq!(stored as usize, participants, "every check-in stored exactly once");
    if let Some(admin) = postgres {
        server_rt.block_on(async {
            state.db.clone().close().await;
            let conn = Database::connect(&admin).await.unwrap();
            conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{pg_name}\" WITH (FORCE)")).await.unwrap();
        });
    }
}
