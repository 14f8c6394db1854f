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

mod support;

use chrono::{NaiveTime, Utc};
use domain::{
    entities::{attendance, diklat, diklat_session, enrolment, person, regency, role_grant},
    services::schedule::today_wib,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use support::{arg, sign_in, sign_in_all, Server};

struct Fixture {
    session_id: i32,
    phones: Vec<String>,
}

/// Writes the people, their accounts (one shared password hash), a diklat with a session today,
/// enrolments and a panitia account.
async fn fixture(db: &domain::Db, participants: usize) -> Fixture {
    let w = db.write();
    let now = Utc::now();
    let malang = regency::Entity::find().filter(regency::Column::Code.eq("3573")).one(w).await.unwrap().unwrap();
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
    let panitia =
        support::account_row(staff.id, &domain::password::hash(support::PASSWORD), now).insert(w).await.unwrap();
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
    let people = support::participants(db, participants, "Peserta Bench", "+62858").await;
    for chunk in people.chunks(500) {
        enrolment::Entity::insert_many(chunk.iter().map(|(id, _)| enrolment::ActiveModel {
            diklat_id: Set(d.id),
            person_id: Set(*id),
            status: Set("enrolled".into()),
            enrolled_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(w)
        .await
        .unwrap();
    }
    Fixture { session_id: s.id, phones: people.into_iter().map(|(_, p)| p).collect() }
}

fn code_on(page: &str) -> Option<String> {
    let at = page.find(r#"data-testid="code""#)?;
    let start = at + page[at..].find('>')? + 1;
    Some(page[start..start + page[start..].find('<')?].trim().to_string())
}

fn main() {
    let participants: usize = arg("--participants").and_then(|r| r.parse().ok()).unwrap_or(2000);
    let seconds: f64 = arg("--seconds").and_then(|r| r.parse().ok()).unwrap_or(10.0);
    let postgres = arg("--postgres");
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();

    let server = Server::start(&server_rt, "checkin", postgres.as_deref());
    let (addr, state) = (server.addr, server.state.clone());
    let base = format!("http://{addr}");
    println!(
        "check-in burst: {participants} participants within {seconds} s, {}, {} build",
        server.backend(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    let t = Instant::now();
    let fx = server_rt.block_on(fixture(&state.db, participants));
    println!("  fixture written in {:.1} s", t.elapsed().as_secs_f64());

    let report = client_rt.block_on(async {
        let client = support::client();
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
        let cookies = Arc::new(Mutex::new(sign_in_all(&client, &base, &fx.phones).await));
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
    println!("{}", support::timing_line("check-ins (burst)", &latencies, wall, errors));
    println!("  stored: {stored} attendance rows for {participants} participants (unique per person and session)");
    assert_eq!(stored as usize, participants, "every check-in stored exactly once");
    server.stop(&server_rt);
}
