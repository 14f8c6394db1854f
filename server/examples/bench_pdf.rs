//! Benchmark: bulk certificate PDFs. The demo's 114 participants all meet the completion rule
//! (pre-test 50, post-test 90 in every module, the attendance minimum set to 0 so the October
//! marks do not decide), their certificates are issued, and the ZIP a panitia downloads is built
//! from them as the server builds it (`server::certificates::build_zip`: typst, one thread per
//! core). Reports each run's wall time, the PDF and ZIP sizes, and one thread's per-PDF time.
//!
//!     cargo run --release -p server --example bench_pdf [-- --runs 3]
//!
//! Run it from the repository root (it reads ./content).

mod support;

use domain::{
    entities::{attempt, diklat},
    services::{certificates, quizzes},
};
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use std::time::{Duration, Instant};
use support::{arg, Server};

fn main() {
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(3);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let server = Server::start(&rt, "pdf", None);
    let state = server.state.clone();
    let verifications = rt.block_on(async {
        let (read, write) = (state.db.read(), state.db.write());
        domain::demo::seed(write).await.unwrap();
        let d = domain::services::schedule::by_code(read, domain::demo::DIKLAT_CODE).await.unwrap();
        let mut row = d.into_active_model();
        // Written past the deployment's floor on purpose: every participant gets a PDF to time.
        row.min_attendance_pct = Set(0);
        let d: diklat::Model = row.update(write).await.unwrap();
        let modules = state.quiz_modules();
        let people = domain::services::schedule::enrolled(read, d.id).await.unwrap();
        for (module_id, _) in &modules {
            let bank = quizzes::current_bank(read, *module_id).await.unwrap();
            for (phase, score) in [(quizzes::Phase::Pre, 50.0), (quizzes::Phase::Post, 90.0)] {
                let q = quizzes::quiz_of(read, *module_id, phase).await.unwrap();
                // Taken on the diklat's last day: inside its window.
                let at =
                    domain::services::clock::wib_instant(d.ends_on, chrono::NaiveTime::from_hms_opt(15, 0, 0).unwrap());
                attempt::Entity::insert_many(
                    people
                        .iter()
                        .map(|e| quizzes::scored_attempt(&q, e.person_id, bank.bank_id, score, (at, at), Some(d.id))),
                )
                .exec_without_returning(write)
                .await
                .unwrap();
            }
        }
        certificates::issue_eligible(read, write, &state.certificate_key, &d, &modules, None, None).await.unwrap();
        certificates::of_diklat(read, d.id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| certificates::verification(&state.certificate_key, c).unwrap())
            .collect::<Vec<_>>()
    });
    let signer = server::certificates::Signer::default();
    let today = domain::services::schedule::today_wib(chrono::Utc::now());
    let docs: Vec<_> = verifications
        .iter()
        .map(|v| server::certificates::document(v, "https://diklat.example.go.id", &signer, today))
        .collect();
    let renderer = domain::pdf::Renderer::new();
    println!(
        "bulk certificate PDFs: {} certificates, {} threads",
        docs.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
    );
    let mut walls = Vec::new();
    for run in 1..=runs {
        let started = Instant::now();
        let zip = server::certificates::build_zip(&renderer, &docs, &|| {}).unwrap();
        let wall = started.elapsed();
        println!("  run {run}: ZIP of {} PDFs in {:.2} s ({} KiB)", docs.len(), wall.as_secs_f64(), zip.len() / 1024);
        walls.push(wall);
    }
    walls.sort();
    let median = walls[walls.len() / 2];
    let mut single = Vec::new();
    for doc in docs.iter().take(20) {
        let started = Instant::now();
        let pdf = renderer.render(doc).unwrap();
        single.push((started.elapsed(), pdf.len()));
    }
    let per_pdf: Duration = single.iter().map(|(d, _)| *d).sum::<Duration>() / single.len() as u32;
    let size = single.iter().map(|(_, s)| s).sum::<usize>() / single.len();
    println!(
        "  median {:.2} s for {} ({:.1} ms each); one thread: {:.1} ms per PDF, {} KiB each",
        median.as_secs_f64(),
        docs.len(),
        median.as_secs_f64() * 1000.0 / docs.len() as f64,
        per_pdf.as_secs_f64() * 1000.0,
        size / 1024
    );
    server.stop(&rt);
}
