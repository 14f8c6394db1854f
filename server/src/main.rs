use clap::Parser;
use server::{
    cli::{Cli, Command, ContentCommand},
    Application,
};
use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(|| server::logging::Redacting(std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Content(ContentCommand::Check { content_dir })) => content_check(&content_dir),
        Some(Command::Content(ContentCommand::ImportGift { file, out, append, skip_problems })) => {
            import_gift(&file, out.as_deref(), append, skip_problems)
        }
        Some(Command::Serve(config)) => serve(*config).await,
        Some(Command::BenchBaseline { listen }) => match server::startup::serve_baseline(listen).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("diklat: {e}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Dataset { scale, config }) => dataset(&scale, *config).await,
        Some(Command::Backup { file, config }) => match server::backup::backup(&config, &file).await {
            Ok(m) => {
                println!(
                    "{}: cadangan {} dibuat / backup written — {} tabel, {} baris, {}",
                    file.display(),
                    m.backend,
                    m.tables.len(),
                    m.rows(),
                    m.created_at.format("%Y-%m-%d %H:%M:%S UTC")
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("diklat backup: {e}");
                ExitCode::FAILURE
            }
        },
        Some(Command::Restore { file, config }) => match server::backup::restore(&config, &file).await {
            Ok(m) => {
                println!(
                    "{}: dipulihkan ke {} / restored — {} tabel, {} baris sesuai manifest, integritas ok (cadangan {})",
                    file.display(),
                    config.data_dir.display(),
                    m.tables.len(),
                    m.rows(),
                    m.created_at.format("%Y-%m-%d %H:%M:%S UTC")
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("diklat restore: {e}");
                ExitCode::FAILURE
            }
        },
        None => serve(cli.serve).await,
    }
}

async fn serve(config: server::Config) -> ExitCode {
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("diklat: tidak dapat mulai / cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    app.print_banner();
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("diklat: server berhenti / server stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn dataset(scale: &str, mut config: server::Config) -> ExitCode {
    let Some(scale) = domain::dataset::Scale::named(scale) else {
        eprintln!("diklat: --scale: `{scale}` is not national, sample or tiny");
        return ExitCode::FAILURE;
    };
    config.listen = "127.0.0.1:0".parse().expect("an address");
    let app = match Application::build(config.clone()).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("diklat: tidak dapat mulai / cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match domain::dataset::generate(app.state(), scale, |line| eprintln!("  {line}")).await {
        Ok(w) => w,
        Err(e) => {
            eprintln!("diklat: dataset: {e}");
            return ExitCode::FAILURE;
        }
    };
    let size = server::startup::database_size(app.state(), &config).await;
    println!(
        "dataset: {} KKMP, {} people, {} diklat, {} sessions, {} attendance marks, {} attempts, {} certificates \
         in {:.1} s; database {:.1} MiB = {:.2} KB per participant",
        written.villages,
        written.people,
        written.diklat,
        written.sessions,
        written.attendance,
        written.attempts,
        written.certificates,
        written.seconds,
        size as f64 / 1048576.0,
        size as f64 / 1000.0 / written.people.max(1) as f64
    );
    ExitCode::SUCCESS
}

fn content_check(dir: &std::path::Path) -> ExitCode {
    match domain::content::Content::load(dir) {
        Ok(content) => {
            let sections: usize = content.modules.iter().map(|m| m.sections.len()).sum();
            let questions: usize =
                content.modules.iter().filter_map(|m| m.bank.as_ref()).map(|b| b.questions.len()).sum();
            for warning in content.warnings(domain::services::clock::today_wib(chrono::Utc::now())) {
                eprintln!("{warning} (peringatan / warning)");
            }
            println!(
                "{}: {} modul, {} bagian, {} soal, {} kuesioner evaluasi — semua valid",
                dir.display(),
                content.modules.len(),
                sections,
                questions,
                content.forms.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!("{} masalah ditemukan / problems found", errors.0.len());
            ExitCode::FAILURE
        }
    }
}

fn import_gift(file: &std::path::Path, out: Option<&std::path::Path>, append: bool, skip: bool) -> ExitCode {
    let fail = |m: String| {
        eprintln!("diklat: {m}");
        ExitCode::FAILURE
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => return fail(format!("{}: tidak dapat dibaca / cannot read: {e}", file.display())),
    };
    let existing = match out.filter(|_| append) {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(t) => Some(t),
            Err(e) => return fail(format!("{}: tidak dapat dibaca / cannot read: {e}", path.display())),
        },
        None => None,
    };
    let taken = existing.as_deref().map(domain::quiz::ids_in).unwrap_or_default();
    let import = domain::gift::parse(&text, &taken);
    for p in &import.problems {
        let what = if p.skipped { "dilewati" } else { "catatan" };
        eprintln!("{}:{}: {what}: {}", file.display(), p.line, p.message);
    }
    if import.needs_confirmation() && !skip {
        return fail(format!(
            "{} soal dapat diimpor, {} bermasalah; tidak ada yang ditulis. Periksa baris di atas, lalu jalankan lagi \
             dengan --skip-problems untuk mengimpor sisanya.",
            import.questions.len(),
            import.problems.len()
        ));
    }
    if import.questions.is_empty() {
        return fail(format!("{}: tidak ada soal yang dapat diimpor", file.display()));
    }
    let bank = import.to_toml();
    let combined = match &existing {
        Some(before) => format!("{}\n\n# Diimpor dari {} (GIFT)\n{bank}", before.trim_end(), file.display()),
        None => format!("# Diimpor dari {} (GIFT)\n{bank}", file.display()),
    };
    let Some(path) = out else {
        print!("{combined}");
        return ExitCode::SUCCESS;
    };
    // What is written must read back as a bank (the size rule aside: a new bank may still be growing).
    if let Err(errors) = domain::quiz::parse_bank(path, &combined) {
        let real: Vec<_> = errors.iter().filter(|e| !e.message.contains("at least")).collect();
        for e in &real {
            eprintln!("{e}");
        }
        if !real.is_empty() {
            return fail("hasil impor tidak valid; tidak ada yang ditulis".into());
        }
    }
    let tmp = path.with_extension("toml.tmp");
    if let Err(e) = std::fs::write(&tmp, &combined).and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return fail(format!("{}: tidak dapat ditulis / cannot write: {e}", path.display()));
    }
    println!(
        "{}: {} soal diimpor{}",
        path.display(),
        import.questions.len(),
        if import.skipped() > 0 { format!(", {} dilewati", import.skipped()) } else { String::new() }
    );
    ExitCode::SUCCESS
}
