//! Query plans: what a peserta's, a panitia's, a pejabat's and a visitor's requests ask the
//! database can be answered through indexes — no statement on a user request reads a whole
//! large table (at national size that is a read of millions of rows).
//!
//! The tiny scale of the national dataset is written, every statement is recorded while the
//! requests run (`Db::record_statements`, per database), and each distinct statement is explained with
//! its own values. SQLite: `EXPLAIN QUERY PLAN` must not `SCAN` a large table (`SEARCH … USING
//! INDEX` is a lookup). PostgreSQL reads tiny tables sequentially whenever it may, so the plan is
//! asked with `enable_seqscan = off`: a `Seq Scan` on a large table that remains has no index
//! to use (and SQLite's statistics of the tiny tables are dropped first, for the same reason).
//!
//! PostgreSQL's check is the weaker one: with tiny tables its planner walks whole indexes in
//! merge joins, and a condition on an index's second column shows as an `Index Cond` though
//! the whole index is walked; so only a remaining `Seq Scan` fails there. SQLite reports a walk
//! of a whole table or index as `SCAN`, and both databases get the same indexes from the same
//! migrations.
//!
//! Not covered by design: the figures of the whole country (`WHERE 1 = 1`), which read every
//! standing — computed in the background and served from memory (BENCHMARKS.md) — and the
//! exports, which stream every row of their area.

use crate::db_test;
use crate::helpers::staff;
use domain::{dataset, entities::certificate};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};

/// Tables that grow with the number of participants.
const LARGE: &[&str] = &[
    "accounts",
    "attempt_answers",
    "attempts",
    "attendance",
    "attendance_history",
    "audit_log",
    "auth_sessions",
    "certificates",
    "cooperatives",
    "enrolments",
    "module_progress",
    "people",
    "role_grants",
    "section_progress",
    "standing_grades",
    "standings",
    "villages",
    "diklat_sessions",
];

/// The plan's lines that read a whole large table.
async fn full_reads(conn: &sea_orm::DatabaseConnection, stmt: &Statement) -> Vec<String> {
    let backend = conn.get_database_backend();
    let explain = |prefix: &str| Statement {
        sql: format!("{prefix}{}", stmt.sql),
        values: stmt.values.clone(),
        db_backend: backend,
    };
    let lines: Vec<String> = match backend {
        DbBackend::Sqlite => conn
            .query_all_raw(explain("EXPLAIN QUERY PLAN "))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "detail").unwrap())
            .collect(),
        _ => {
            let txn = sea_orm::TransactionTrait::begin(conn).await.unwrap();
            txn.execute_unprepared("SET LOCAL enable_seqscan = off").await.unwrap();
            let rows = txn.query_all_raw(explain("EXPLAIN ")).await.unwrap();
            txn.rollback().await.unwrap();
            rows.iter().map(|r| r.try_get::<String>("", "QUERY PLAN").unwrap()).collect()
        }
    };
    lines
        .into_iter()
        .filter(|l| {
            LARGE.iter().any(|t| {
                let l = l.trim_start_matches([' ', '-', '>']);
                // SQLite: "SCAN people" or "SCAN people USING COVERING INDEX …" (still every row);
                // PostgreSQL: "Seq Scan on people …".
                l == format!("SCAN {t}")
                    || l.starts_with(&format!("SCAN {t} "))
                    || l.contains(&format!("Seq Scan on {t} "))
                    || l.ends_with(&format!("Seq Scan on {t}"))
            })
        })
        .collect()
}

db_test!(no_request_reads_a_whole_large_table, |app| {
    dataset::generate(&app.state, dataset::Scale::named("tiny").unwrap(), |_| {}).await.unwrap();
    let db_read = app.state.db.read();
    let cert = certificate::Entity::find().one(db_read).await.unwrap().unwrap();
    let peserta_id = cert.person_id;
    let phone =
        domain::entities::person::Entity::find_by_id(peserta_id).one(db_read).await.unwrap().unwrap().phone.unwrap();
    let d = domain::entities::diklat::Entity::find_by_id(cert.diklat_id).one(db_read).await.unwrap().unwrap();
    let session = {
        use sea_orm::{ColumnTrait, QueryFilter};
        domain::entities::diklat_session::Entity::find()
            .filter(domain::entities::diklat_session::Column::DiklatId.eq(d.id))
            .one(db_read)
            .await
            .unwrap()
            .unwrap()
    };
    let panitia = staff(&app, "panitia@plans.test", types::Role::Panitia, None, d.regency_id).await;
    // A desa and its kecamatan: the levels whose figures are read on request.
    let village = {
        let coop = domain::entities::cooperative::Entity::find().one(db_read).await.unwrap().unwrap();
        domain::entities::village::Entity::find_by_id(coop.village_id).one(db_read).await.unwrap().unwrap()
    };
    let district =
        domain::entities::district::Entity::find_by_id(village.district_id).one(db_read).await.unwrap().unwrap();

    let (peserta, pejabat, staff_browser, visitor) = (app.browser(), app.browser(), app.browser(), app.browser());
    app.sign_in(&pejabat, dataset::PEJABAT_LOGIN, dataset::PASSWORD).await;
    app.sign_in(&staff_browser, &panitia, "sandi-uji-coba").await;

    app.state.db.record_statements();
    // Signing in is a request too (account lookup, throttle, session).
    app.sign_in(&peserta, &phone, dataset::PASSWORD).await;
    let pages: Vec<(&reqwest::Client, String)> = vec![
        (&peserta, "/modul/pengembangan-usaha".into()),
        (&peserta, "/jadwal".into()),
        (&peserta, "/presensi".into()),
        (&peserta, "/sertifikat".into()),
        (&peserta, "/akun".into()),
        (&peserta, "/kuis/pengembangan-usaha/akhir".into()),
        (&visitor, format!("/verifikasi/{}", cert.verification_code)),
        (&visitor, format!("/api/v1/certificates/{}", cert.verification_code)),
        (&visitor, "/capaian".into()),
        (&pejabat, format!("/laporan?wilayah={}", district.code)),
        (&pejabat, format!("/laporan?wilayah={}", village.code)),
        (&pejabat, format!("/laporan?wilayah={}&q=Peserta", village.code)),
        (&staff_browser, format!("/diklat/{}", d.id)),
        (&staff_browser, format!("/diklat/{}/peserta", d.id)),
        (&staff_browser, format!("/diklat/{}/kelulusan", d.id)),
        (&staff_browser, format!("/sesi/{}", session.id)),
        (&staff_browser, format!("/sesi/{}/daftar-hadir", session.id)),
    ];
    for (client, path) in &pages {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert!(r.status().as_u16() < 400, "{path}: {}", r.status());
    }
    let statements = app.state.db.recorded_statements();
    assert!(statements.len() > 20, "the requests were recorded ({} statements)", statements.len());

    // The generator leaves SQLite statistics of a tiny dataset, by which a scan of a few hundred
    // rows is cheaper than any index; without them SQLite plans as for large tables.
    if app.state.db.backend() == domain::db::Backend::Sqlite {
        let w = app.state.db.write();
        for sql in ["DROP TABLE IF EXISTS sqlite_stat1", "DROP TABLE IF EXISTS sqlite_stat4", "ANALYZE sqlite_schema"] {
            w.execute_unprepared(sql).await.unwrap();
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut offenders = Vec::new();
    for stmt in statements {
        let sql = stmt.sql.trim().to_string();
        let first = sql.split_whitespace().next().unwrap_or_default().to_uppercase();
        // Plans are asked of reads and writes alike; transaction control has none.
        if !["SELECT", "WITH", "UPDATE", "DELETE", "INSERT"].contains(&first.as_str()) || !seen.insert(sql.clone()) {
            continue;
        }
        // The whole country's figures (no area: `WHERE 1 = 1`) read every standing by design; they
        // are computed at start-up and after refreshes, in the background, and served from memory.
        if sql.contains("WHERE 1 = 1") || sql.contains("WHERE (1 = 1 OR") {
            continue;
        }
        let full = full_reads(app.state.db.write(), &stmt).await;
        if !full.is_empty() {
            offenders.push(format!("{sql}\n    → {}", full.join("; ")));
        }
    }
    assert!(offenders.is_empty(), "statements that read a whole large table:\n{}", offenders.join("\n"));
});
