//! `diklat backup FILE` and `diklat restore FILE`: a consistent copy of everything a server needs
//! — the database and the two keys in the data folder — taken while it runs, and put back into an
//! empty data folder (and, for PostgreSQL, an empty database) only once it checks out.
//!
//! A backup is a ZIP (entries stored, not compressed) holding the keys (`data.key`,
//! `certificate-signing.key`), the database — `diklat.db`, made by SQLite's `VACUUM INTO` in one
//! read transaction, or `postgres.dump`, pg_dump's custom format taken in the very snapshot the
//! row counts were read in — and last `manifest.json`: the backend, when, the rows of every table
//! and the SHA-256 of every other entry. A restore checks the checksums before it writes anything,
//! then the database's integrity and every table's rows against the manifest.

use crate::Config;
use sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, IsolationLevel, Statement,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::{
    collections::BTreeMap,
    fs::File,
    io::{Read, Write},
    path::{Path, PathBuf},
};

const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_ENTRY: &str = "diklat.db";
const POSTGRES_ENTRY: &str = "postgres.dump";
const KEYS: [&str; 2] = [domain::secret::FILE_NAME, domain::signing::FILE_NAME];

/// What a backup holds, as its `manifest.json` says.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub diklat_version: String,
    /// Rows of every table, read in the snapshot the backup holds.
    pub tables: BTreeMap<String, i64>,
    /// SHA-256 (hex) of every other entry of the archive.
    pub sha256: BTreeMap<String, String>,
}

impl Manifest {
    pub fn rows(&self) -> i64 {
        self.tables.values().sum()
    }
}

/// Why a backup or a restore did not happen, as one sentence naming the file or setting.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BackupError(String);

fn fail<T>(message: impl Into<String>) -> Result<T, BackupError> {
    Err(BackupError(message.into()))
}

fn at(path: &Path, what: &str, e: impl std::fmt::Display) -> BackupError {
    BackupError(format!("{}: {what} ({e})", path.display()))
}

/// The file of a `sqlite:` URL, or `None` for another database.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or_default()))
}

/// Writes a backup of the running (or stopped) server's database and keys to `file`, which must
/// not exist yet. Returns its manifest.
pub async fn backup(config: &Config, file: &Path) -> Result<Manifest, BackupError> {
    if file.exists() {
        return fail(format!(
            "{}: berkas sudah ada; pilih nama lain / file exists, choose another name",
            file.display()
        ));
    }
    for key in KEYS {
        let path = config.data_dir.join(key);
        if !path.is_file() {
            return fail(format!("{}: tidak ada; --data-dir harus folder data server / missing", path.display()));
        }
    }
    let folder = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let work = tempfile::Builder::new()
        .prefix(".diklat-backup-")
        .tempdir_in(folder)
        .map_err(|e| at(folder, "tidak dapat menulis di folder ini / cannot write here", e))?;
    let url = config.database_url();
    let (backend, entry, tables) = match sqlite_file(&url) {
        Some(source) => {
            let snapshot = work.path().join(SQLITE_ENTRY);
            let tables = sqlite_snapshot(&source, &snapshot).await?;
            ("sqlite", snapshot, tables)
        }
        None => {
            let dump = work.path().join(POSTGRES_ENTRY);
            let tables = postgres_dump(&url, &dump).await?;
            ("postgres", dump, tables)
        }
    };
    let partial = work.path().join("backup.zip");
    let mut zip = zip::ZipWriter::new(File::create(&partial).map_err(|e| at(&partial, "cannot create", e))?);
    let mut sha256 = BTreeMap::new();
    let mut entries: Vec<(String, PathBuf)> = KEYS.iter().map(|k| (k.to_string(), config.data_dir.join(k))).collect();
    entries.push((entry.file_name().expect("a file name").to_string_lossy().into_owned(), entry.clone()));
    for (name, path) in &entries {
        let mut source = File::open(path).map_err(|e| at(path, "tidak dapat dibaca / cannot read", e))?;
        let size = source.metadata().map(|m| m.len()).unwrap_or(0);
        zip.start_file(name.as_str(), stored().large_file(size >= u32::MAX as u64))
            .map_err(|e| at(file, "cannot write", e))?;
        let digest = copy_hashing(&mut source, &mut zip).map_err(|e| at(file, "cannot write", e))?;
        sha256.insert(name.clone(), digest);
    }
    let manifest = Manifest {
        format: FORMAT,
        backend: backend.into(),
        created_at: chrono::Utc::now(),
        diklat_version: env!("CARGO_PKG_VERSION").into(),
        tables,
        sha256,
    };
    zip.start_file(MANIFEST, stored()).map_err(|e| at(file, "cannot write", e))?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest).expect("a manifest serialises"))
        .map_err(|e| at(file, "cannot write", e))?;
    let written = zip.finish().map_err(|e| at(file, "cannot write", e))?;
    written.sync_all().map_err(|e| at(file, "cannot write", e))?;
    drop(written);
    // The keys are inside: readable by the owner only.
    #[cfg(unix)]
    std::fs::set_permissions(&partial, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| at(&partial, "cannot set permissions", e))?;
    std::fs::rename(&partial, file).map_err(|e| at(file, "cannot write", e))?;
    Ok(manifest)
}

/// Restores `file` into the configured data folder, which must not hold a database or keys yet
/// (and, for a PostgreSQL backup, into the configured PostgreSQL database, which must be empty).
/// Nothing is left behind when a check fails.
pub async fn restore(config: &Config, file: &Path) -> Result<Manifest, BackupError> {
    let mut archive =
        zip::ZipArchive::new(File::open(file).map_err(|e| at(file, "tidak dapat dibuka / cannot open", e))?)
            .map_err(|e| at(file, "bukan cadangan diklat / not a diklat backup", e))?;
    let manifest: Manifest = {
        let entry = archive
            .by_name(MANIFEST)
            .map_err(|_| BackupError(format!("{}: tidak ada {MANIFEST}; bukan cadangan diklat", file.display())))?;
        serde_json::from_reader(entry).map_err(|e| at(file, "manifest.json tidak terbaca / unreadable", e))?
    };
    if manifest.format != FORMAT {
        return fail(format!("{}: format {} tidak dikenal / unknown format", file.display(), manifest.format));
    }
    let url = config.database_url();
    let target_sqlite = sqlite_file(&url);
    match (manifest.backend.as_str(), &target_sqlite) {
        ("sqlite", None) => {
            return fail("cadangan SQLite hanya dapat dipulihkan ke SQLite: hapus --database-url / DATABASE_URL");
        }
        ("postgres", Some(_)) => {
            return fail(
                "cadangan PostgreSQL dipulihkan ke PostgreSQL: beri --database-url postgres://… (basis data kosong)",
            );
        }
        ("sqlite" | "postgres", _) => {}
        (other, _) => return fail(format!("{}: backend `{other}` tidak dikenal", file.display())),
    }
    // The data folder must not hold what we are about to write.
    std::fs::create_dir_all(&config.data_dir).map_err(|e| at(&config.data_dir, "cannot create", e))?;
    let mut taken: Vec<PathBuf> = KEYS.iter().map(|k| config.data_dir.join(k)).collect();
    taken.extend(
        target_sqlite
            .iter()
            .flat_map(|db| ["", "-wal", "-shm"].map(|ext| PathBuf::from(format!("{}{ext}", db.display())))),
    );
    if let Some(present) = taken.iter().find(|p| p.exists()) {
        return fail(format!(
            "{}: sudah ada; pulihkan ke folder data yang kosong / already exists, restore into an empty data folder",
            present.display()
        ));
    }
    // Every entry first, checked against the manifest, into a work folder beside the data.
    let work = tempfile::Builder::new()
        .prefix(".diklat-restore-")
        .tempdir_in(&config.data_dir)
        .map_err(|e| at(&config.data_dir, "cannot write", e))?;
    for (name, expected) in &manifest.sha256 {
        let mut entry =
            archive.by_name(name).map_err(|_| BackupError(format!("{}: {name} tidak ada", file.display())))?;
        let path = work.path().join(name);
        let mut out = File::create(&path).map_err(|e| at(&path, "cannot write", e))?;
        let digest = copy_hashing(&mut entry, &mut out).map_err(|e| at(file, &format!("{name} tidak terbaca"), e))?;
        if &digest != expected {
            return fail(format!(
                "{}: {name} rusak (SHA-256 tidak cocok dengan manifest) / damaged: checksum does not match",
                file.display()
            ));
        }
    }
    let database = work.path().join(if manifest.backend == "sqlite" { SQLITE_ENTRY } else { POSTGRES_ENTRY });
    if !database.is_file() {
        return fail(format!("{}: basis data tidak ada di cadangan / no database in the backup", file.display()));
    }
    match &target_sqlite {
        Some(target) => {
            let found = sqlite_inspect(&database).await?;
            same_rows(&manifest, &found)?;
            if let Some(dir) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| at(dir, "cannot create", e))?;
            }
            install_keys(work.path(), &config.data_dir)?;
            let moved = std::fs::rename(&database, target).or_else(|_| std::fs::copy(&database, target).map(|_| ()));
            if let Err(e) = moved {
                remove_keys(&config.data_dir);
                return Err(at(target, "cannot write", e));
            }
        }
        None => {
            postgres_restore(&url, &database).await?;
            let conn = connect_postgres(&url).await?;
            let found = table_rows(&conn, DbBackend::Postgres).await?;
            if let Err(e) = same_rows(&manifest, &found) {
                return fail(format!("{e}; kosongkan basis data itu sebelum mencoba lagi / empty that database first"));
            }
            install_keys(work.path(), &config.data_dir)?;
        }
    }
    Ok(manifest)
}

fn stored() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored)
}

fn copy_hashing(from: &mut impl Read, to: &mut impl Write) -> std::io::Result<String> {
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
        to.write_all(&buf[..n])?;
    }
    to.flush()?;
    Ok(hex::encode(hash.finalize()))
}

fn install_keys(from: &Path, data_dir: &Path) -> Result<(), BackupError> {
    for key in KEYS {
        let target = data_dir.join(key);
        let bytes = std::fs::read(from.join(key)).map_err(|e| at(&from.join(key), "cannot read", e))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&target).and_then(|mut f| f.write_all(&bytes).and_then(|()| f.sync_all())).map_err(|e| {
            remove_keys(data_dir);
            at(&target, "cannot write", e)
        })?;
    }
    Ok(())
}

fn remove_keys(data_dir: &Path) {
    for key in KEYS {
        let _ = std::fs::remove_file(data_dir.join(key));
    }
}

fn same_rows(manifest: &Manifest, found: &BTreeMap<String, i64>) -> Result<(), BackupError> {
    for (table, rows) in &manifest.tables {
        let got = found.get(table).copied();
        if got != Some(*rows) {
            return fail(format!(
                "tabel {table}: {} baris, manifest mencatat {rows} / table {table}: rows differ from the manifest",
                got.map_or("tidak ada".to_string(), |n| n.to_string())
            ));
        }
    }
    Ok(())
}

/// An existing SQLite file (never created here). Not read-only: a read-only connection cannot
/// open a WAL database whose `-shm` file is missing (a stopped server's, a fresh copy).
async fn open_sqlite(path: &Path) -> Result<DatabaseConnection, BackupError> {
    let mut options = ConnectOptions::new(format!("sqlite://{}", path.display()));
    options
        .max_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| o.create_if_missing(false).busy_timeout(std::time::Duration::from_secs(30)));
    Database::connect(options).await.map_err(|e| at(path, "tidak dapat dibuka sebagai SQLite / cannot open", e))
}

/// `VACUUM INTO`: one read transaction of the live database, written as a new compact file.
async fn sqlite_snapshot(source: &Path, snapshot: &Path) -> Result<BTreeMap<String, i64>, BackupError> {
    if !source.is_file() {
        return fail(format!("{}: tidak ada basis data / no database here", source.display()));
    }
    let live = open_sqlite(source).await?;
    let into = snapshot.display().to_string().replace('\'', "''");
    live.execute_unprepared(&format!("VACUUM INTO '{into}'"))
        .await
        .map_err(|e| at(source, "salinan gagal / VACUUM INTO failed", e))?;
    live.close().await.ok();
    sqlite_inspect(snapshot).await
}

/// SQLite's own integrity check, then the rows of every table.
async fn sqlite_inspect(path: &Path) -> Result<BTreeMap<String, i64>, BackupError> {
    let conn = open_sqlite(path).await?;
    let rows = conn
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check"))
        .await
        .map_err(|e| at(path, "pemeriksaan integritas gagal / integrity check failed", e))?;
    let verdict: Vec<String> = rows.iter().filter_map(|r| r.try_get_by_index::<String>(0).ok()).collect();
    if verdict != ["ok"] {
        return fail(format!("{}: basis data rusak / integrity check: {}", path.display(), verdict.join("; ")));
    }
    let tables = table_rows(&conn, DbBackend::Sqlite).await;
    conn.close().await.ok();
    tables
}

/// The rows of every table of the schema (our tables and the migrations' own).
async fn table_rows(conn: &impl ConnectionTrait, backend: DbBackend) -> Result<BTreeMap<String, i64>, BackupError> {
    let list = match backend {
        DbBackend::Postgres => "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1",
    };
    let err = |e: sea_orm::DbErr| BackupError(format!("reading the tables: {e}"));
    let mut tables = BTreeMap::new();
    for row in conn.query_all_raw(Statement::from_string(backend, list)).await.map_err(err)? {
        let name: String = row.try_get("", "name").map_err(err)?;
        let sql = format!("SELECT COUNT(*) AS n FROM \"{}\"", name.replace('"', "\"\""));
        let n = conn
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .map_err(err)?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()
            .map_err(err)?
            .unwrap_or(0);
        tables.insert(name, n);
    }
    Ok(tables)
}

async fn connect_postgres(url: &str) -> Result<DatabaseConnection, BackupError> {
    let mut options = ConnectOptions::new(url.to_string());
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options).await.map_err(|e| {
        BackupError(format!("DATABASE_URL: cannot connect to PostgreSQL at `{}`: {e}", domain::db::redact(url)))
    })
}

/// Counts the rows in a repeatable-read snapshot and has pg_dump dump that same snapshot.
async fn postgres_dump(url: &str, dump: &Path) -> Result<BTreeMap<String, i64>, BackupError> {
    let conn = connect_postgres(url).await?;
    let err = |e: sea_orm::DbErr| BackupError(format!("PostgreSQL: {e}"));
    let txn =
        conn.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await.map_err(err)?;
    let snapshot: String = txn
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SELECT pg_export_snapshot() AS s"))
        .await
        .map_err(err)?
        .ok_or_else(|| BackupError("PostgreSQL: no snapshot".into()))?
        .try_get("", "s")
        .map_err(err)?;
    let tables = table_rows(&txn, DbBackend::Postgres).await?;
    let output = tokio::process::Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges", "--snapshot", &snapshot, "--file"])
        .arg(dump)
        .args(["--dbname", url])
        .output()
        .await
        .map_err(|e| {
            BackupError(format!("pg_dump tidak dapat dijalankan / cannot run pg_dump (is it on PATH?): {e}"))
        })?;
    txn.commit().await.map_err(err)?;
    if !output.status.success() {
        return fail(format!("pg_dump gagal / failed: {}", String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(tables)
}

/// pg_restore in one transaction into a database with no tables yet: all or nothing.
async fn postgres_restore(url: &str, dump: &Path) -> Result<(), BackupError> {
    let conn = connect_postgres(url).await?;
    let existing = table_rows(&conn, DbBackend::Postgres).await?;
    conn.close().await.ok();
    if let Some(table) = existing.keys().next() {
        return fail(format!(
            "{}: basis data tidak kosong (ada tabel {table}); pulihkan ke basis data yang kosong / not empty",
            domain::db::redact(url)
        ));
    }
    let output = tokio::process::Command::new("pg_restore")
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", url])
        .arg(dump)
        .output()
        .await
        .map_err(|e| BackupError(format!("pg_restore tidak dapat dijalankan / cannot run pg_restore: {e}")))?;
    if !output.status.success() {
        return fail(format!(
            "pg_restore gagal, tidak ada yang ditulis / failed, nothing written: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(())
}
