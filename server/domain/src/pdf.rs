//! Certificate PDF rendering with Typst used as a library.
//!
//! The [`Renderer`] owns everything that is expensive to build (the Typst standard library, the
//! embedded fonts and the parsed template) and can be shared between threads. Each call to
//! [`Renderer::render`] builds a tiny, throw-away [`World`] that exposes exactly three virtual
//! files: the template (`/certificate.typ`), the certificate data (`/data.json`) and the QR code
//! (`/qr.png`). The template reads the data with `json(...)`, so user-provided text is never
//! spliced into Typst markup and cannot inject code.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

#[cfg(test)]
#[path = "pdf_test_support.rs"]
mod test_support;

/// The Typst template. It reads `/data.json` and `/qr.png`.
const TEMPLATE: &str = include_str!("certificate.typ");

/// Pixels per QR module in the generated PNG.
const QR_MODULE_PX: usize = 8;
/// Width of the quiet zone around the QR code, in modules.
const QR_QUIET_MODULES: usize = 4;

/// Maximum age (in renders) of entries in Typst's global memoization cache.
///
/// Typst memoizes layout and shaping results in a process-global cache (`comemo`) that is never
/// trimmed on its own. After every render we evict entries that have not been used during the
/// last few renders, which keeps memory bounded while still reusing results for the parts of the
/// certificate that never change (frame, headings, labels).
const CACHE_MAX_AGE: usize = 8;

/// One line of the module table.
#[derive(Clone, Debug, Serialize)]
pub struct ModuleLine {
    /// Module title.
    pub title: String,
    /// Pre-test score (0–100), if taken.
    pub pre: Option<f64>,
    /// Post-test score (0–100), if taken.
    pub post: Option<f64>,
}

/// All data printed on a certificate. Text fields are printed verbatim.
#[derive(Clone, Debug, Serialize)]
pub struct CertificateDoc {
    /// Full name of the certificate holder.
    pub holder: String,
    /// Masked national identity number, e.g. `3573********0001`.
    pub nik_masked: String,
    /// Position in the cooperative (already a display label).
    pub jabatan: String,
    /// Name of the cooperative.
    pub kkmp: String,
    /// Kelurahan (urban village) name.
    pub kelurahan: String,
    /// Kecamatan (district) name.
    pub kecamatan: String,
    /// Name of the training.
    pub diklat: String,
    /// Training dates, already formatted.
    pub dates: String,
    /// Training venue.
    pub venue: String,
    /// Total lesson hours (JP).
    pub jp: i32,
    /// Module lines with pre/post test scores.
    pub modules: Vec<ModuleLine>,
    /// Mean learning gain in points (post − pre); may be negative.
    pub gain: Option<f64>,
    /// Certificate number.
    pub number: String,
    /// Verification code.
    pub code: String,
    /// Verification URL encoded in the QR code.
    pub verify_url: String,
    /// Place of issue.
    pub issued_place: String,
    /// Date of issue, already formatted.
    pub issued_on: String,
    /// The government the issuing office belongs to ("Pemerintah Kota Malang").
    pub authority: String,
    /// The issuing office ("Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang").
    pub office: String,
    /// Title of the signing official.
    pub signer_title: String,
    /// Name of the signing official; empty leaves a blank line.
    pub signer_name: String,
    /// Whether the certificate has been revoked.
    pub revoked: bool,
}

/// Errors produced while rendering a certificate.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The QR code could not be generated (e.g. the URL is too long).
    #[error("QR code generation failed: {0}")]
    Qr(String),
    /// The QR code PNG could not be encoded.
    #[error("QR code PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    /// The certificate data could not be serialized.
    #[error("certificate data serialization failed: {0}")]
    Data(#[from] serde_json::Error),
    /// Typst reported errors while compiling the template.
    #[error("typst compilation failed: {0}")]
    Compile(String),
    /// Typst reported errors while exporting the PDF.
    #[error("PDF export failed: {0}")]
    Export(String),
    /// The template produced an unexpected number of pages.
    #[error("certificate layout produced {0} pages instead of one")]
    PageCount(usize),
}

/// Renders certificates. Build once and share (e.g. via `Arc`); it is `Send + Sync`.
pub struct Renderer {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data_id: FileId,
    qr_id: FileId,
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer").field("fonts", &self.fonts.len()).finish_non_exhaustive()
    }
}

impl Renderer {
    /// Loads the embedded fonts, builds the standard library and parses the template.
    pub fn new() -> Renderer {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        let book = FontBook::from_fonts(&fonts);
        let main_id = file_id("/certificate.typ");
        Renderer {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            main: Source::new(main_id, TEMPLATE.to_owned()),
            data_id: file_id("/data.json"),
            qr_id: file_id("/qr.png"),
        }
    }

    /// Renders one certificate to PDF bytes.
    ///
    /// This is blocking and CPU-bound (tens of milliseconds in release builds); call it from a
    /// blocking thread pool in async code.
    pub fn render(&self, doc: &CertificateDoc) -> Result<Vec<u8>, PdfError> {
        let world = CertWorld {
            renderer: self,
            data: Bytes::new(serde_json::to_vec(&TemplateData::new(doc))?),
            qr: Bytes::new(qr_png(&doc.verify_url)?),
        };
        let result = compile_and_export(&world, doc);
        comemo::evict(CACHE_MAX_AGE);
        result
    }
}

/// Compiles the template in `world` and exports the single page as PDF.
fn compile_and_export(world: &CertWorld<'_>, doc: &CertificateDoc) -> Result<Vec<u8>, PdfError> {
    let document: PagedDocument =
        typst::compile(world).output.map_err(|errors| PdfError::Compile(describe(world, &errors)))?;
    let pages = document.pages().len();
    if pages != 1 {
        return Err(PdfError::PageCount(pages));
    }
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("diklat-kkmp-certificate:{}", doc.number)),
        creator: Smart::Custom(Some("Diklat KKMP".to_owned())),
        ..Default::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| PdfError::Export(describe(world, &errors)))
}

/// Interns a file id for a fixed, known-good virtual path in the project root.
fn file_id(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).expect("fixed virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// Joins Typst diagnostics into one readable message, with template line numbers where known.
fn describe(world: &CertWorld<'_>, diagnostics: &[SourceDiagnostic]) -> String {
    let mut out = String::new();
    for diag in diagnostics.iter().filter(|d| d.severity == Severity::Error) {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(&diag.message);
        let line = world
            .range(diag.span)
            .filter(|_| diag.span.id() == Some(world.renderer.main.id()))
            .and_then(|range| world.renderer.main.lines().byte_to_line(range.start));
        if let Some(line) = line {
            let _ = write!(out, " (certificate.typ:{})", line + 1);
        }
        for hint in &diag.hints {
            let _ = write!(out, " [hint: {}]", hint.v);
        }
    }
    if out.is_empty() {
        out.push_str("unknown error");
    }
    out
}

/// The per-render Typst world: the shared renderer plus this certificate's data and QR image.
struct CertWorld<'a> {
    renderer: &'a Renderer,
    data: Bytes,
    qr: Bytes,
}

impl CertWorld<'_> {
    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(PathBuf::from(id.vpath().get_with_slash()))
    }
}

impl World for CertWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.renderer.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.renderer.book
    }

    fn main(&self) -> FileId {
        self.renderer.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.renderer.main.id() {
            Ok(self.renderer.main.clone())
        } else {
            Err(Self::not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.renderer.data_id {
            Ok(self.data.clone())
        } else if id == self.renderer.qr_id {
            Ok(self.qr.clone())
        } else if id == self.renderer.main.id() {
            Ok(Bytes::from_string(TEMPLATE))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.renderer.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The template does not use the current date; keeping it unavailable makes output
        // deterministic.
        None
    }
}

/// The data handed to the template: the document plus pre-formatted numbers.
#[derive(Serialize)]
struct TemplateData<'a> {
    #[serde(flatten)]
    doc: &'a CertificateDoc,
    rows: Vec<Row<'a>>,
    gain_text: Option<String>,
}

#[derive(Serialize)]
struct Row<'a> {
    title: &'a str,
    pre: String,
    post: String,
}

impl<'a> TemplateData<'a> {
    fn new(doc: &'a CertificateDoc) -> Self {
        let rows = doc
            .modules
            .iter()
            .map(|m| Row { title: &m.title, pre: format_score(m.pre), post: format_score(m.post) })
            .collect();
        let gain_text = doc.gain.filter(|g| g.is_finite()).map(format_gain);
        TemplateData { doc, rows, gain_text }
    }
}

/// Formats a number with one decimal and a decimal comma (`85,0`).
fn format_decimal(value: f64) -> String {
    format!("{value:.1}").replace('.', ",")
}

/// Formats a test score, or an em dash when missing.
fn format_score(score: Option<f64>) -> String {
    match score {
        Some(v) if v.is_finite() => format_decimal(v),
        _ => "—".to_owned(),
    }
}

/// Formats a learning gain with an explicit sign (`+12,5`, `−3,0`).
fn format_gain(gain: f64) -> String {
    let text = format_decimal(gain.abs());
    if text == "0,0" {
        text
    } else if gain < 0.0 {
        format!("\u{2212}{text}")
    } else {
        format!("+{text}")
    }
}

/// Encodes `url` as a QR code (error correction level M) into an 8-bit grayscale PNG.
fn qr_png(url: &str) -> Result<Vec<u8>, PdfError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| PdfError::Qr(e.to_string()))?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QR_QUIET_MODULES;
    let side_px = side_modules * QR_MODULE_PX;
    let mut pixels = vec![255u8; side_px * side_px];
    for (i, _) in colors.iter().enumerate().filter(|(_, c)| **c == qrcode::Color::Dark) {
        let (mx, my) = (i % modules + QR_QUIET_MODULES, i / modules + QR_QUIET_MODULES);
        for y in my * QR_MODULE_PX..(my + 1) * QR_MODULE_PX {
            let row = y * side_px;
            pixels[row + mx * QR_MODULE_PX..row + (mx + 1) * QR_MODULE_PX].fill(0);
        }
    }
    let side = u32::try_from(side_px).map_err(|e| PdfError::Qr(e.to_string()))?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::test_support::{pdf_page_count, pdf_qr, pdf_text};
    use super::*;

    fn sample() -> CertificateDoc {
        let module = |title: &str, pre, post| ModuleLine { title: title.to_owned(), pre, post };
        CertificateDoc {
            holder: "Siti Rahayu".to_owned(),
            nik_masked: "3573********0001".to_owned(),
            jabatan: "Ketua".to_owned(),
            kkmp: "KKMP Merah Putih Kelurahan Bareng".to_owned(),
            kelurahan: "Bareng".to_owned(),
            kecamatan: "Klojen".to_owned(),
            diklat: "Diklat Pengurus dan Pengawas KKMP Kota Malang Angkatan I".to_owned(),
            dates: "20–22 Oktober 2025".to_owned(),
            venue: "Aula Diskopindag Kota Malang".to_owned(),
            jp: 32,
            modules: vec![
                module("Perkoperasian dan Kelembagaan KKMP", Some(60.0), Some(85.0)),
                module("Tata Kelola dan Manajemen Organisasi", Some(55.5), Some(80.0)),
                module("Pengelolaan Keuangan dan Akuntansi Koperasi", Some(70.0), Some(90.5)),
                module("Pengembangan Usaha dan Pemasaran", None, Some(75.0)),
                module("Pengawasan dan Pengendalian Internal", Some(65.0), None),
            ],
            gain: Some(12.5),
            number: "KKMP-MLG/2025/000123".to_owned(),
            code: "7G2K-9QXM-4D1B-V8TT-Q".to_owned(),
            verify_url: "https://diklat.example.go.id/verifikasi/7G2K-9QXM-4D1B-V8TT-Q".to_owned(),
            issued_place: "Malang".to_owned(),
            issued_on: "23 Oktober 2025".to_owned(),
            authority: "Pemerintah Kota Malang".to_owned(),
            office: "Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang".to_owned(),
            signer_title: "Kepala Dinas Koperasi, Perindustrian dan Perdagangan Kota Malang".to_owned(),
            signer_name: "Dra. Nama Pejabat, M.M.".to_owned(),
            revoked: false,
        }
    }

    /// Text extraction may split words or insert line breaks; compare without whitespace.
    fn squash(text: &str) -> String {
        text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn assert_contains(pdf: &[u8], needles: &[&str]) {
        let text = squash(&pdf_text(pdf));
        for needle in needles {
            assert!(text.contains(&squash(needle)), "{needle:?} not found in extracted text:\n{text}");
        }
    }

    #[test]
    fn renders_single_page_pdf() {
        let pdf = Renderer::new().render(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert_eq!(pdf_page_count(&pdf), 1);
    }

    #[test]
    fn text_is_extractable() {
        let mut doc = sample();
        doc.holder = "Ni Luh Putu Ayu' Sari".to_owned();
        let pdf = Renderer::new().render(&doc).unwrap();
        assert_contains(
            &pdf,
            &[
                "Ni Luh Putu Ayu' Sari",
                "KKMP-MLG/2025/000123",
                "SERTIFIKAT",
                "3573********0001",
                "85,0",
                "Peningkatan belajar rata-rata: +12,5 poin",
                "Pindai untuk memeriksa keaslian",
                "7G2K-9QXM-4D1B-V8TT-Q",
            ],
        );
    }

    #[test]
    fn qr_code_decodes_to_verify_url() {
        let doc = sample();
        let pdf = Renderer::new().render(&doc).unwrap();
        assert_eq!(pdf_qr(&pdf).as_deref(), Some(doc.verify_url.as_str()));
    }

    #[test]
    fn long_content_stays_on_one_page() {
        let mut doc = sample();
        doc.holder = "Raden Ayu Siti Nurhaliza Kusumawardhani Puspitasari Wulandari".to_owned();
        doc.kkmp = "KKMP Merah Putih Kelurahan Tanjungrejo Kecamatan Sukun Kota Malang Jawa Timur".to_owned();
        doc.modules = (1..=7)
            .map(|i| ModuleLine {
                title: format!("Modul {i}: Penguatan Tata Kelola, Akuntabilitas dan Transparansi Koperasi Desa"),
                pre: Some(50.0 + f64::from(i)),
                post: Some(80.0 + f64::from(i)),
            })
            .collect();
        doc.gain = Some(-3.25);
        doc.signer_name = String::new();
        doc.revoked = true;
        let pdf = Renderer::new().render(&doc).unwrap();
        assert_eq!(pdf_page_count(&pdf), 1);
        assert_contains(&pdf, &[&doc.holder, "DICABUT", "\u{2212}3,2 poin"]);
    }

    #[test]
    fn special_characters_are_literal() {
        let mut doc = sample();
        doc.holder = r#"A#b $c$ *d* _e_ <b>f</b> \g "h" @i [j] // k"#.to_owned();
        doc.venue = r#"#set page(height: 1cm) $x^2$ #{ panic() } \ "#.to_owned();
        doc.modules[0].title = "#strong[x] *bold* _em_ `raw` <label> @ref".to_owned();
        let pdf = Renderer::new().render(&doc).unwrap();
        assert_eq!(pdf_page_count(&pdf), 1);
        assert_contains(&pdf, &[&doc.holder, &doc.venue, &doc.modules[0].title]);
    }

    #[test]
    fn pathological_data_never_adds_a_page() {
        let mut doc = sample();
        doc.holder = "Sangat Panjang ".repeat(20);
        doc.diklat = "Pelatihan ".repeat(60);
        doc.modules = (0..25)
            .map(|i| ModuleLine { title: format!("Modul {i} ").repeat(12), pre: None, post: Some(100.0) })
            .collect();
        let pdf = Renderer::new().render(&doc).unwrap();
        assert_eq!(pdf_page_count(&pdf), 1);
    }

    #[test]
    fn too_long_url_is_a_qr_error() {
        let mut doc = sample();
        doc.verify_url = "x".repeat(5000);
        assert!(matches!(Renderer::new().render(&doc), Err(PdfError::Qr(_))));
    }

    #[test]
    fn renderer_is_shareable_across_threads() {
        let renderer = std::sync::Arc::new(Renderer::new());
        let handles: Vec<_> = (0..2)
            .map(|i| {
                let renderer = std::sync::Arc::clone(&renderer);
                std::thread::spawn(move || {
                    let mut doc = sample();
                    doc.number = format!("KKMP-MLG/2025/{i:06}");
                    let pdf = renderer.render(&doc).unwrap();
                    assert!(squash(&pdf_text(&pdf)).contains(&squash(&doc.number)));
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
    }

    #[test]
    fn template_compiles_without_warnings() {
        let renderer = Renderer::new();
        let doc = sample();
        let world = CertWorld {
            renderer: &renderer,
            data: Bytes::new(serde_json::to_vec(&TemplateData::new(&doc)).unwrap()),
            qr: Bytes::new(qr_png(&doc.verify_url).unwrap()),
        };
        let warned = typst::compile::<PagedDocument>(&world);
        assert!(warned.output.is_ok());
        assert!(warned.warnings.is_empty(), "{}", describe_all(&world, &warned.warnings));
    }

    #[test]
    fn compile_errors_are_readable() {
        let renderer = Renderer::new();
        let world = CertWorld { renderer: &renderer, data: Bytes::new(b"{}".to_vec()), qr: Bytes::new(Vec::new()) };
        let err = compile_and_export(&world, &sample()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, PdfError::Compile(_)));
        assert!(message.contains("certificate.typ:"), "{message}");
        assert!(message.contains("does not contain key"), "the missing field is named: {message}");
    }

    fn describe_all(world: &CertWorld<'_>, diagnostics: &[SourceDiagnostic]) -> String {
        let as_errors: Vec<_> =
            diagnostics.iter().cloned().map(|d| SourceDiagnostic { severity: Severity::Error, ..d }).collect();
        describe(world, &as_errors)
    }

    #[test]
    fn number_formatting() {
        assert_eq!(format_score(Some(85.0)), "85,0");
        assert_eq!(format_score(None), "—");
        assert_eq!(format_score(Some(f64::NAN)), "—");
        assert_eq!(format_gain(12.5), "+12,5");
        assert_eq!(format_gain(-3.04), "\u{2212}3,0");
        assert_eq!(format_gain(-0.01), "0,0");
    }
}
