use crate::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Diklat KKMP: training and certification for the pengurus and pengawas of Koperasi
/// Kelurahan Merah Putih.
#[derive(Debug, Parser)]
#[command(name = "diklat", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// `diklat` alone is `diklat serve`.
    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default).
    Serve(Box<Config>),
    /// Work with the content folder.
    #[command(subcommand)]
    Content(ContentCommand),
    /// Write a consistent backup of the database and the data folder's keys to FILE, while the
    /// server runs (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump`, which must be on PATH). FILE
    /// holds the keys: keep it as safe as the data folder.
    Backup {
        /// The backup file to create (must not exist), e.g. `diklat-2026-11-30.zip`.
        file: PathBuf,
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Restore a backup into an empty data folder (a PostgreSQL backup: into the empty database
    /// `--database-url` names, with `pg_restore`), after checking its checksums, the database's
    /// integrity and every table's rows. Nothing is written when a check fails.
    Restore {
        /// A file made by `diklat backup`.
        file: PathBuf,
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Write a synthetic dataset into an empty database for benchmarks (`--scale national`: 38
    /// provinces, ~83,000 KKMP, ~800,000 people with attendance, tests and certificates; every
    /// account's password and the national pejabat's are in `domain::dataset`). The other
    /// options are `diklat serve`'s (`--database-url`, `--data-dir`, `--content-dir`).
    #[command(hide = true)]
    Dataset {
        /// national | sample | tiny
        #[arg(long, default_value = "national")]
        scale: String,
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Serve a bare axum "hello" handler (same runtime, same TCP_NODELAY listener), so a benchmark
    /// can report the application's throughput next to what this machine does with no work at all.
    #[command(hide = true)]
    BenchBaseline {
        #[arg(long, default_value = "127.0.0.1:3197")]
        listen: std::net::SocketAddr,
    },
}

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Validate every module; print `file:line: problem` and exit non-zero on any problem.
    Check {
        #[arg(long, env = "DIKLAT_CONTENT_DIR", default_value = "./content")]
        content_dir: PathBuf,
    },
    /// Convert a Moodle GIFT file into question-bank (`soal.toml`) questions. Problems are printed as
    /// `FILE:line: problem`; nothing is written while there are any, unless `--skip-problems`.
    ImportGift {
        /// The GIFT file (UTF-8).
        file: PathBuf,
        /// Write the bank here (e.g. `content/modul/02-literasi-keuangan/soal.toml`) instead of
        /// printing it.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Add the questions to the end of `--out` instead of replacing it.
        #[arg(long, requires = "out")]
        append: bool,
        /// Confirm the problems: leave out the questions that cannot be imported, keep the rest.
        #[arg(long)]
        skip_problems: bool,
    },
}
