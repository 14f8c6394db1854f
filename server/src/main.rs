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
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Content(ContentCommand::Check { content_dir })) => content_check(&content_dir),
        Some(Command::Serve(config)) => serve(config).await,
        Some(Command::BenchBaseline { listen }) => match server::startup::serve_baseline(listen).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("diklat: {e}");
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

fn content_check(dir: &std::path::Path) -> ExitCode {
    match domain::content::Content::load(dir) {
        Ok(content) => {
            let sections: usize = content.modules.iter().map(|m| m.sections.len()).sum();
            let questions: usize =
                content.modules.iter().filter_map(|m| m.bank.as_ref()).map(|b| b.questions.len()).sum();
            println!(
                "{}: {} modul, {} bagian, {} soal — semua valid",
                dir.display(),
                content.modules.len(),
                sections,
                questions
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
