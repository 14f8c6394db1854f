//! Benchmark: quiz submissions over HTTP. `--participants` peserta (default 2,000) each have an
//! attempt open at a 20-question pre-test; `--concurrency` clients (default 64) then submit them
//! as fast as the server takes them — `POST /kuis/jawab` with 20 answers and *Kumpulkan*, exactly
//! what the form sends. Reports submissions per second and latency, then checks that every attempt
//! was graded exactly once with its 20 answers stored.
//!
//!     cargo run --release -p server --example bench_quiz
//!     cargo run --release -p server --example bench_quiz -- --postgres postgres://postgres@127.0.0.1:5432/test
//!
//! The server runs in this process on its own 2-thread runtime, the clients on another; both
//! share the machine's two cores. Run it from the repository root (it reads ./content).

mod support;

use domain::{
    entities::{attempt, attempt_answer, quiz},
    quiz::Key,
    services::quizzes::{layout_of, Phase},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, Set};
use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use support::{arg, sign_in_all, Server};

const SLUG: &str = "pengembangan-usaha";
const QUESTIONS: i32 = 20;

fn main() {
    let participants: usize = arg("--participants").and_then(|r| r.parse().ok()).unwrap_or(2000);
    let concurrency: usize = arg("--concurrency").and_then(|r| r.parse().ok()).unwrap_or(64);
    let postgres = arg("--postgres");
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = Server::start(&server_rt, "quiz", postgres.as_deref());
    let base = format!("http://{}", server.addr);
    let state = server.state.clone();
    println!(
        "quiz submissions: {participants} attempts of {QUESTIONS} questions, {concurrency} clients, {}, {} build",
        server.backend(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );

    let t = Instant::now();
    let (quiz_id, phones) = server_rt.block_on(async {
        let module_id = state.module_ids[SLUG];
        let q = domain::services::quizzes::quiz_of(state.db.read(), module_id, Phase::Pre).await.unwrap();
        let mut row = q.clone().into_active_model();
        row.question_count = Set(QUESTIONS);
        row.update(state.db.write()).await.unwrap();
        let people = support::participants(&state.db, participants, "Peserta Kuis", "+62857").await;
        (q.id, people.into_iter().map(|(_, phone)| phone).collect::<Vec<_>>())
    });
    println!("  fixture written in {:.1} s", t.elapsed().as_secs_f64());

    let client = support::client();
    let t = Instant::now();
    let cookies = client_rt.block_on(sign_in_all(&client, &base, &phones));
    println!("  {participants} sign-ins in {:.1} s (before the timing)", t.elapsed().as_secs_f64());

    // Everyone starts an attempt (not timed).
    let t = Instant::now();
    let attempts: Vec<i64> = client_rt.block_on({
        let (client, base, cookies) = (client.clone(), base.clone(), Arc::new(cookies.clone()));
        support::in_parallel(participants, 16, move |i| {
            let (client, base, cookies) = (client.clone(), base.clone(), cookies.clone());
            async move {
                let r = client
                    .post(format!("{base}/kuis/mulai"))
                    .header("cookie", &cookies[i])
                    .form(&[("slug", SLUG), ("fase", "awal")])
                    .send()
                    .await
                    .unwrap();
                let to = r.headers()["location"].to_str().unwrap();
                to.strip_prefix("/percobaan/").expect("an attempt").parse().unwrap()
            }
        })
    });
    println!("  {participants} attempts started in {:.1} s (before the timing)", t.elapsed().as_secs_f64());

    // The form each participant sends: every question answered, the first half of them right.
    let forms: Vec<Vec<(String, String)>> = server_rt.block_on(async {
        let rows =
            attempt::Entity::find().filter(attempt::Column::QuizId.eq(quiz_id)).all(state.db.read()).await.unwrap();
        let by_id: std::collections::HashMap<i64, attempt::Model> = rows.into_iter().map(|a| (a.id, a)).collect();
        let mut forms = Vec::new();
        for id in &attempts {
            let a = &by_id[id];
            let layout = layout_of(a);
            let ids: Vec<i32> = layout.iter().map(|s| s.q).collect();
            let questions = state.questions.get(state.db.read(), &ids).await.unwrap();
            let mut f = vec![("percobaan".to_string(), id.to_string())];
            for (n, slot) in layout.iter().enumerate() {
                let right = n < layout.len() / 2;
                let name = format!("q{}", slot.q);
                f.push(("d".into(), slot.q.to_string()));
                match &questions[&slot.q].key {
                    Key::Choices(options) => {
                        for (k, o) in options.iter().enumerate() {
                            if o.correct == right {
                                f.push((name.clone(), k.to_string()));
                                if !right {
                                    break;
                                }
                            }
                        }
                    }
                    Key::TrueFalse(b) => f.push((name, if *b == right { "benar" } else { "salah" }.into())),
                    Key::Short(accepted) if right => f.push((name, accepted[0].clone())),
                    Key::Numeric { value, .. } if right => f.push((name, format!("{value}"))),
                    _ => f.push((name, "tidak tahu".into())),
                }
            }
            f.push(("aksi".into(), "kumpulkan".into()));
            f.push(("yakin".into(), "ya".into()));
            forms.push(f);
        }
        forms
    });

    let (latencies, errors, wall) = client_rt.block_on(async {
        let work = Arc::new(Mutex::new(cookies.into_iter().zip(forms).collect::<Vec<_>>()));
        let started = Instant::now();
        let mut workers = Vec::new();
        for _ in 0..concurrency {
            let (client, base, work) = (client.clone(), base.clone(), work.clone());
            workers.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                loop {
                    let Some((cookie, form)) = work.lock().unwrap().pop() else { break };
                    let t = Instant::now();
                    let r = client.post(format!("{base}/kuis/jawab")).header("cookie", cookie).form(&form).send().await;
                    let expected = format!("/percobaan/{}?terkumpul=1", form[0].1);
                    let ok = matches!(&r, Ok(r) if r.status().as_u16() == 303 && r.headers()["location"] == expected.as_str());
                    latencies.push(t.elapsed());
                    errors += usize::from(!ok);
                }
                (latencies, errors)
            }));
        }
        let mut latencies: Vec<Duration> = Vec::new();
        let mut errors = 0;
        for w in workers {
            let (l, e) = w.await.unwrap();
            latencies.extend(l);
            errors += e;
        }
        let wall = started.elapsed();
        latencies.sort();
        (latencies, errors, wall)
    });
    println!("{}", support::timing_line("submissions", &latencies, wall, errors));
    let (submitted, total, graded, scores) = server_rt.block_on(async {
        let db = state.db.read();
        let of_quiz = || attempt::Entity::find().filter(attempt::Column::QuizId.eq(quiz_id));
        let submitted = of_quiz().filter(attempt::Column::Status.eq("submitted")).count(db).await.unwrap();
        let total = of_quiz().count(db).await.unwrap();
        let graded = attempt_answer::Entity::find()
            .filter(attempt_answer::Column::AttemptId.is_in(attempts.iter().copied()))
            .filter(attempt_answer::Column::Fraction.is_not_null())
            .count(db)
            .await
            .unwrap();
        let scores: Vec<f64> = of_quiz().all(db).await.unwrap().into_iter().filter_map(|a| a.score).collect();
        let _ = quiz::Entity::find_by_id(quiz_id).one(db).await.unwrap();
        (submitted, total, graded, scores)
    });
    println!(
        "  stored: {submitted} of {total} attempts submitted, {graded} graded answers ({} expected), every score 50: {}",
        participants * QUESTIONS as usize,
        scores.iter().all(|s| (*s - 50.0).abs() < 1e-9)
    );
    assert_eq!(errors, 0, "every submission acknowledged");
    assert_eq!((submitted as usize, total as usize), (participants, participants), "each attempt submitted once");
    assert_eq!(graded as usize, participants * QUESTIONS as usize, "every answer stored and graded");
    server.stop(&server_rt);
}
