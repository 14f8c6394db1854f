//! Certificate PDFs: what goes on the page (from the signed payload), rendering off the async
//! runtime, and ZIPs of many.

use crate::startup::ServerState;
use domain::{
    pdf::{CertificateDoc, ModuleLine},
    services::certificates::{Status, Verification},
    AppError,
};
use std::{io::Write, sync::Arc};

const AUTHORITY: &str = "Pemerintah Kota Malang";
const OFFICE: &str = "Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang";
const PLACE: &str = "Malang";
const SIGNER_TITLE: &str = "Kepala Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang";

/// Who issues and signs the printed certificate (settings of `diklat serve`).
#[derive(Clone, Debug, clap::Args)]
pub struct Signer {
    /// The government heading the printed certificate.
    #[arg(long = "cert-authority", env = "DIKLAT_CERT_AUTHORITY", default_value = AUTHORITY)]
    pub authority: String,
    /// The issuing office, under it.
    #[arg(long = "cert-office", env = "DIKLAT_CERT_OFFICE", default_value = OFFICE)]
    pub office: String,
    /// Where certificates are issued, printed before the date ("Malang, 23 Oktober 2025").
    #[arg(long = "cert-place", env = "DIKLAT_CERT_PLACE", default_value = PLACE)]
    pub place: String,
    /// The signing official's title on the printed certificate.
    #[arg(long = "cert-signer-title", env = "DIKLAT_CERT_SIGNER_TITLE", default_value = SIGNER_TITLE)]
    pub title: String,
    /// The signing official's name (empty: a blank line to sign on).
    #[arg(long = "cert-signer-name", env = "DIKLAT_CERT_SIGNER_NAME", default_value = "")]
    pub name: String,
}

impl Default for Signer {
    /// The command-line defaults: Kota Malang's Diskopindag.
    fn default() -> Self {
        Signer {
            authority: AUTHORITY.into(),
            office: OFFICE.into(),
            place: PLACE.into(),
            title: SIGNER_TITLE.into(),
            name: String::new(),
        }
    }
}

/// The printed certificate of `v`: its signed content, the learning gain, the verification URL.
pub fn document(v: &Verification, public_url: &str, signer: &Signer, today: chrono::NaiveDate) -> CertificateDoc {
    let p = &v.payload;
    let lang = app::i18n::Lang::Id;
    let date = |d: chrono::NaiveDate| app::schedule_api::ssr::dates(d, d);
    CertificateDoc {
        holder: p.holder.clone(),
        nik_masked: p.nik.clone(),
        jabatan: app::i18n::signed_jabatan(&p.jabatan, lang),
        kkmp: p.kkmp.clone(),
        kelurahan: p.kelurahan.clone(),
        kecamatan: p.kecamatan.clone(),
        diklat: p.diklat.clone(),
        // Version 2 names the days the sessions were held; version 1 the diklat's planned dates.
        dates: match (p.held_from, p.held_to) {
            (Some(from), Some(to)) => app::schedule_api::ssr::dates(from, to),
            _ => app::schedule_api::ssr::dates(p.starts_on, p.ends_on),
        },
        venue: p.venue.clone(),
        jp: p.jp,
        modules: p
            .post_tests
            .iter()
            .map(|(title, post)| ModuleLine {
                // With the version of the module's text the holder studied (payload version 2).
                title: match p.modules.iter().find(|(t, _)| t == title) {
                    Some((_, version)) if !version.is_empty() => format!("{title} (versi {version})"),
                    _ => title.clone(),
                },
                pre: p.pre_tests.iter().find(|(t, _)| t == title).map(|(_, g)| *g),
                post: Some(*post),
            })
            .collect(),
        gain: p.learning_gain(),
        number: p.number.clone(),
        code: p.code.clone(),
        verify_url: format!("{public_url}/verifikasi/{}", p.code),
        issued_place: signer.place.clone(),
        authority: signer.authority.clone(),
        office: signer.office.clone(),
        issued_on: date(p.issued_on),
        signer_title: signer.title.clone(),
        signer_name: signer.name.clone(),
        revoked: matches!(v.status(today), Status::Revoked { .. }),
    }
}

/// Renders one certificate on a blocking thread (typesetting is CPU work).
pub async fn render(state: &ServerState, v: &Verification) -> Result<Vec<u8>, AppError> {
    let today = domain::services::schedule::today_wib(chrono::Utc::now());
    let doc = document(v, &state.public_url, &state.signer, today);
    let renderer = state.pdf.clone();
    tokio::task::spawn_blocking(move || renderer.render(&doc))
        .await
        .map_err(|e| AppError::Internal(format!("PDF rendering stopped: {e}")))?
        .map_err(|e| AppError::Internal(format!("PDF {}: {e}", v.payload.number)))
}

/// `s` safe in a file name: ASCII letters and digits kept, anything else a `-`.
pub fn file_slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// The file name of a certificate's PDF (`KKMP-MLG/2025/000001` → `sertifikat-KKMP-MLG-2025-000001.pdf`).
pub fn file_name(number: &str) -> String {
    format!("sertifikat-{}.pdf", file_slug(number))
}

/// Renders `docs` (in parallel, one thread per core) and stores them in a ZIP in their order;
/// `done` is called after each PDF. All or nothing: the first failure is the result.
pub fn build_zip(
    renderer: &domain::pdf::Renderer,
    docs: &[CertificateDoc],
    done: &(dyn Fn() + Sync),
) -> Result<Vec<u8>, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let chunk = docs.len().div_ceil(threads).max(1);
    let rendered: Vec<Result<Vec<Vec<u8>>, String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = docs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|doc| {
                            let pdf = renderer.render(doc).map_err(|e| format!("{}: {e}", doc.number));
                            done();
                            pdf
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err("a PDF worker stopped".into()))).collect()
    });
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // PDFs are compressed already: store them.
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut pdfs = docs.iter();
    for part in rendered {
        for pdf in part? {
            let doc = pdfs.next().ok_or("more PDFs than certificates")?;
            zip.start_file(file_name(&doc.number), options).map_err(|e| e.to_string())?;
            zip.write_all(&pdf).map_err(|e| e.to_string())?;
        }
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// Builds the ZIP of job `id` (`services::zip_jobs`) from `certificates` in the background: the
/// PDFs on a blocking thread, while this instance writes the job's progress and heartbeat every
/// [`zip_jobs::HEARTBEAT`]; then the ZIP, or why it failed (no partial ZIP is offered).
pub fn spawn_zip(state: &ServerState, id: String, certificates: Vec<Verification>) {
    use domain::services::zip_jobs;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let today = domain::services::schedule::today_wib(chrono::Utc::now());
    let docs: Vec<CertificateDoc> =
        certificates.iter().map(|v| document(v, &state.public_url, &state.signer, today)).collect();
    let renderer = state.pdf.clone();
    let done = Arc::new(AtomicUsize::new(0));
    let counted = done.clone();
    let mut build =
        tokio::task::spawn_blocking(move || build_zip(&renderer, &docs, &|| _ = counted.fetch_add(1, Relaxed)));
    let db = state.app.db.clone();
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(zip_jobs::HEARTBEAT);
        let built = loop {
            tokio::select! {
                built = &mut build => break built,
                _ = beat.tick() => {
                    if let Err(e) = zip_jobs::report(db.write(), &id, done.load(Relaxed), chrono::Utc::now()).await {
                        tracing::warn!("certificate ZIP {id}: progress not written: {e}");
                    }
                }
            }
        };
        let now = chrono::Utc::now();
        let written = match built {
            Ok(Ok(bytes)) => zip_jobs::finish(db.write(), &id, bytes, now).await,
            Ok(Err(e)) => {
                tracing::error!("certificate ZIP {id}: {e}");
                zip_jobs::fail(db.write(), &id, &e, now).await
            }
            Err(e) => {
                tracing::error!("certificate ZIP {id}: the build stopped: {e}");
                zip_jobs::fail(db.write(), &id, "internal error", now).await
            }
        };
        if let Err(e) = written {
            tracing::error!("certificate ZIP {id}: not stored: {e}");
        }
    });
}
