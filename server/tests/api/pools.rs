//! The connection pools run no idle sweep: sqlx 0.9's sweep can spin for good on a wrapped idle
//! count and hold a runtime thread (the cause of the hang, explained at `db::without_sweep`).
//! Each test makes the pools as the server does, takes and returns connections from many tasks
//! at once, then checks that the pools' own options start no sweep and that, once the load has
//! stopped, the runtime's threads are idle.

use domain::db::{Backend, Db};
use sea_orm::ConnectionTrait;
use std::time::{Duration, Instant};

/// CPU seconds used so far by this process's threads named `thread` (one test's runtime: the
/// variants name theirs apart, so they can run at once in one process under `cargo test`).
fn runtime_cpu_seconds(thread: &str) -> f64 {
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() != thread {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
        let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        // utime and stime: fields 14 and 15 of the line, 12 and 13 after the command name.
        total += (ticks(11) + ticks(12)) / 100.0;
    }
    total
}

fn under_load(url: String, thread: &'static str) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name(thread).enable_all().build().unwrap();
    let (sweeps, statements, idle, answered) = runtime.block_on(async move {
        let db = Db::connect(&url, 1).await.unwrap();
        let mut sweeps = Vec::new();
        for conn in [db.read(), db.write()] {
            sweeps.push(match db.backend() {
                Backend::Sqlite => {
                    let o = conn.get_sqlite_connection_pool().options();
                    (o.get_idle_timeout(), o.get_max_lifetime())
                }
                Backend::Postgres => {
                    let o = conn.get_postgres_connection_pool().options();
                    (o.get_idle_timeout(), o.get_max_lifetime())
                }
            });
        }
        // Load: 8 tasks taking and returning the writer's connections as fast as they can (on
        // SQLite its one connection: every release wakes a waiter), while a busy thread competes
        // for the cores as other work does on a loaded server: preempted threads widen the
        // moment the idle count is wrapped.
        let until = Instant::now() + Duration::from_secs(2);
        let busy = std::thread::spawn(move || {
            while Instant::now() < until {
                std::hint::spin_loop();
            }
        });
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut done = 0u32;
                    while Instant::now() < until {
                        db.write().execute_unprepared("SELECT 1").await.unwrap();
                        done += 1;
                    }
                    done
                })
            })
            .collect();
        let mut statements = 0;
        for t in tasks {
            statements += t.await.unwrap();
        }
        busy.join().unwrap();
        // Then nothing to do: a thread spinning in a pool would use a whole core here.
        let before = runtime_cpu_seconds(thread);
        tokio::time::sleep(Duration::from_secs(1)).await;
        let idle = runtime_cpu_seconds(thread) - before;
        // And the writer still answers at once.
        let answered = tokio::time::timeout(Duration::from_secs(5), db.write().execute_unprepared("SELECT 1")).await;
        (sweeps, statements, idle, answered.is_ok_and(|r| r.is_ok()))
    });
    // Not waiting for the runtime's threads: a spinning one would never stop (that was the hang).
    runtime.shutdown_background();
    assert_eq!(sweeps, vec![(None, None); 2], "a pool with an idle timeout or a lifetime runs sqlx's sweep");
    assert!(statements > 100, "the load ran: {statements} statements");
    assert!(idle < 0.3, "the runtime's threads used {idle:.2} s of CPU in an idle second");
    assert!(answered, "the writer answers after the load");
}

mod the_pools_run_no_idle_sweep_and_rest_once_the_load_stops {
    #[test]
    fn on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        super::under_load(format!("sqlite://{}/pools.db", dir.path().display()), "pools-sqlite");
    }

    #[test]
    #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL when building the tests")]
    fn on_postgres() {
        let url = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL was set when the tests were built");
        super::under_load(url, "pools-postgres");
    }
}
