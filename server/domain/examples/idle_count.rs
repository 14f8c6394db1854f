//! Why the SQLite writer pool runs no idle sweep (`db.rs`): sqlx's count of idle connections
//! can fall below zero for a moment, and a sweep that reads it then loops without end.
//!
//! Tasks take the connection of a one-connection pool and give it back as fast as they can,
//! as the writer does under load, while a plain thread reads `num_idle()`. In sqlx-core 0.9.0
//! (`pool/inner.rs`), `release` hands the permit on *before* it raises the count, and
//! `pop_idle` lowers the count after taking the connection: a task woken by that permit can
//! lower it first, so the unsigned count wraps to `usize::MAX` until `release` catches up.
//! The idle sweep (spawned only when `idle_timeout` or `max_lifetime` is set) runs
//! `for _ in 0..pool.num_idle()` with no await inside when no connection is free: reading the
//! wrapped count, it spins ~2^64 times and holds its runtime thread, with any task queued on it.
//!
//! `cargo run -p domain --example idle_count -- [SECONDS] [TASKS]` prints how often the count was
//! seen wrapped, the longest pause without progress, and the CPU the process uses in the two
//! idle seconds after the load: with a sweep every 5 ms (sqlx's default period is 10 minutes,
//! and a sweep also runs as each pool starts; a short one only makes the moment come sooner)
//! and with none (what `db.rs` sets). A spinning sweep shows as a whole core busy while idle.

use sea_orm::{ConnectOptions, ConnectionTrait, Database};
use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let tasks: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(8);
    for sweep in [Some(Duration::from_millis(5)), None] {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (wrapped, ops, stall, idle_cpu) = runtime.block_on(churn(sweep, Duration::from_secs(seconds), tasks));
        println!(
            "idle sweep {:>10}: {ops:>8} statements, count seen wrapped {wrapped} times, longest pause {stall:?}, \
             CPU in the 2 s idle after: {idle_cpu:.2} s",
            match sweep {
                Some(d) => format!("every {d:?}"),
                None => "off".to_string(),
            }
        );
        runtime.shutdown_timeout(Duration::from_secs(1));
    }
}

async fn churn(sweep: Option<Duration>, run_for: Duration, tasks: usize) -> (u64, u64, Duration, f64) {
    let dir = std::env::temp_dir().join(format!("idle-count-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/churn.db?mode=rwc", dir.display());
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(sweep)
        .max_lifetime(None)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    let db = Database::connect(options).await.unwrap();
    let pool = db.get_sqlite_connection_pool().clone();
    let ops = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    // The watcher: a plain thread, so it sees the count even while a runtime thread spins.
    let watcher = {
        let (pool, ops, stop) = (pool.clone(), ops.clone(), stop.clone());
        std::thread::spawn(move || {
            let (mut wrapped, mut last, mut last_change, mut longest) = (0u64, 0u64, Instant::now(), Duration::ZERO);
            while !stop.load(Ordering::Relaxed) {
                if pool.num_idle() > 1 {
                    wrapped += 1;
                }
                let now = ops.load(Ordering::Relaxed);
                if now != last {
                    longest = longest.max(last_change.elapsed());
                    (last, last_change) = (now, Instant::now());
                }
                std::hint::spin_loop();
            }
            (wrapped, longest.max(last_change.elapsed().min(Duration::from_secs(3600))))
        })
    };
    let deadline = Instant::now() + run_for;
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let (db, ops) = (db.clone(), ops.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    db.execute_unprepared("SELECT 1").await.unwrap();
                    ops.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    // A stuck runtime thread would hold the workers; give up on them after twice the run.
    let _ = tokio::time::timeout(run_for * 2, async {
        for w in workers {
            let _ = w.await;
        }
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let (wrapped, longest) = watcher.join().unwrap();
    // Then nothing to do for two seconds: a sweep spinning on a wrapped count keeps a core busy.
    let before = cpu_seconds();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle_cpu = cpu_seconds() - before;
    let _ = std::fs::remove_dir_all(&dir);
    drop(db);
    (wrapped, ops.load(Ordering::Relaxed), longest, idle_cpu)
}

/// This process's CPU time so far (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}
