//! The report exports: `/laporan/ekspor/cakupan.{csv,xlsx}` (the coverage table of the page's
//! area) and `/laporan/ekspor/bersertifikat.{csv,xlsx}` (everyone holding a valid certificate
//! there). They take the page's own query string. The certified list is read in batches of
//! 1,000 by certificate id: the CSV streams as it is read, the XLSX is written row by row to a
//! temporary file — neither holds the whole list in memory.

use super::{export_response, extract::ReportReader, XLSX};
// The page's own formatting, so a file and the page it was exported from read the same.
use crate::startup::ServerState;
use app::i18n::{decimal, percent, Lang};
use axum::{
    body::Body,
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use domain::{
    services::{
        export::{self, csv_line, StreamedXlsx},
        report::{self, Area, Filter, PersonLine, ReportQuery},
        schedule::today_wib,
    },
    AppError,
};

pub fn routes() -> Router<ServerState> {
    Router::new().route("/laporan/ekspor/{file}", get(export))
}

const BATCH: u64 = 1000;

const CERTIFIED_HEADERS: &[&str] = &[
    "nomor_sertifikat",
    "kode_verifikasi",
    "tanggal_terbit",
    "nama",
    "jabatan",
    "koperasi",
    "kelurahan",
    "kecamatan",
    "diklat",
    "kehadiran_persen",
    "rata_tes_awal",
    "rata_tes_akhir",
];
/// The certified list's columns as a person reads them in the XLSX (the CSV keeps the names above).
const CERTIFIED_LABELS: &[&str] = &[
    "Nomor sertifikat",
    "Kode verifikasi",
    "Tanggal terbit",
    "Nama",
    "Jabatan",
    "Koperasi",
    "Kelurahan",
    "Kecamatan",
    "Diklat",
    "Kehadiran (%)",
    "Rata-rata tes awal",
    "Rata-rata tes akhir",
];
const CERTIFIED_WIDTHS: &[f64] = &[24.0, 20.0, 14.0, 32.0, 18.0, 36.0, 22.0, 18.0, 40.0, 16.0, 14.0, 14.0];

const COVERAGE_HEADERS: &[&str] = &[
    "kode_wilayah",
    "wilayah",
    "kkmp",
    "kkmp_siap",
    "kkmp_sebagian",
    "kkmp_belum",
    "peserta",
    "hadir_memenuhi_syarat",
    "lulus_tes_akhir",
    "memenuhi_syarat",
    "bersertifikat",
    "persen_kkmp_siap",
];

/// The coverage table's columns as a person reads them in the XLSX: counts of KKMP, and of
/// people (each counted once however many diklat they joined).
const COVERAGE_LABELS: &[&str] = &[
    "Kode wilayah",
    "Wilayah",
    "KKMP",
    "KKMP siap",
    "KKMP sebagian",
    "KKMP belum",
    "Peserta (orang)",
    "Hadir memenuhi syarat (orang)",
    "Lulus tes akhir (orang)",
    "Memenuhi syarat (orang)",
    "Bersertifikat (orang)",
    "KKMP siap (%)",
];

/// A mean score as the CSV and the page write it (`Lang::Id`: "48,0"), or as a spreadsheet reads a
/// number (`Lang::En`: "48.0", stored as a number in the XLSX).
fn grade(v: Option<f64>, lang: Lang) -> String {
    v.map(|v| decimal(v, lang)).unwrap_or_default()
}

fn certified_row(p: &PersonLine, scores: Lang) -> Vec<String> {
    vec![
        p.certificate_number.clone().unwrap_or_default(),
        p.certificate_code.clone().unwrap_or_default(),
        p.issued_at.map(|t| today_wib(t).format("%Y-%m-%d").to_string()).unwrap_or_default(),
        p.name.clone(),
        p.position.map_or("—", |j| Lang::Id.label(j)).to_string(),
        p.kkmp.clone(),
        p.village.clone(),
        p.district.clone(),
        p.diklat.clone(),
        p.attendance_percent().to_string(),
        grade(p.pre_mean, scores),
        grade(p.post_mean, scores),
    ]
}

/// A bad filter is a bad request (400, naming the parameter); anything else is the error's own.
fn failure(e: AppError) -> Response {
    match e {
        AppError::Invalid { .. } => (StatusCode::BAD_REQUEST, e.public_message()).into_response(),
        e => e.into_response(),
    }
}

fn attachment(content_type: &'static str, name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, super::content_disposition(name)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET /laporan/ekspor/{cakupan|bersertifikat}.{csv|xlsx}?…`
async fn export(
    State(state): State<ServerState>,
    ReportReader(caller): ReportReader,
    Path(file): Path<String>,
    Query(params): Query<ReportQuery>,
) -> Response {
    let Some((what, ext)) = file.rsplit_once('.') else { return StatusCode::NOT_FOUND.into_response() };
    if !matches!(ext, "csv" | "xlsx") || !matches!(what, "cakupan" | "bersertifikat") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let db = state.app.db.read();
    let (place, filter) = match report::resolve(db, &caller.report_scopes(), &params).await {
        Ok(v) => v,
        Err(e) => return failure(e),
    };
    let today = today_wib(chrono::Utc::now());
    let _ = domain::services::audit::record(
        state.app.db.write(),
        Some(caller.account_id),
        "report.export",
        "report",
        Some(place.code.clone()),
        Some(serde_json::json!({ "file": file, "diklat": filter.diklat_id })),
    )
    .await;
    let slug = if place.code.is_empty() { "nasional".to_string() } else { place.code.clone() };
    let scope = export_scope(db, &caller.report_scopes(), &place, &filter).await;
    if what == "cakupan" {
        let rows = report::figures(&state.app, place.area, &filter, today).await.map(|f| {
            let c = &f.coverage;
            let mut rows: Vec<Vec<String>> = c.rows.iter().map(|r| coverage_row(&r.code, &r.name, &r.counts)).collect();
            rows.push(coverage_row("", "Jumlah", &c.total));
            (rows, scope.clone())
        });
        let table = super::Table { columns: COVERAGE_HEADERS, labels: COVERAGE_LABELS, sheet: "Cakupan" };
        return export_response(rows, &table, "Cakupan Diklat KKMP", &format!("cakupan-{slug}.{ext}"), ext);
    }
    let name = format!("bersertifikat-{slug}.{ext}");
    if ext == "csv" {
        attachment("text/csv; charset=utf-8", &name, certified_csv(state, place.area, filter, today))
    } else {
        let heading = export::Heading::new("Peserta bersertifikat Diklat KKMP", scope);
        match certified_xlsx(&state, place.area, &filter, today, &heading).await {
            Ok(body) => attachment(XLSX, &name, body),
            Err(e) => failure(e),
        }
    }
}

/// "Wilayah: Kota Malang", with the diklat when the report is about one the caller's scopes cover
/// (the rule of the report's diklat filter, `report::diklat_choices`).
async fn export_scope<C: sea_orm::ConnectionTrait>(
    db: &C,
    scopes: &[domain::auth::Scope],
    place: &report::Place,
    filter: &Filter,
) -> String {
    let region = if place.name.is_empty() { "Nasional" } else { place.name.as_str() };
    let diklat = match filter.diklat_id {
        Some(id) => <domain::entities::diklat::Entity as sea_orm::EntityTrait>::find_by_id(id)
            .one(db)
            .await
            .ok()
            .flatten()
            .filter(|d| scopes.iter().any(|s| domain::services::schedule::scope_covers(*s, d))),
        None => None,
    };
    match diklat {
        Some(d) => format!("Wilayah: {region} · Diklat: {} ({})", d.name, d.code),
        None => format!("Wilayah: {region} · semua diklat"),
    }
}

fn coverage_row(code: &str, name: &str, c: &report::Counts) -> Vec<String> {
    let pct = percent(c.kkmp_ready, c.kkmp);
    [code.to_string(), name.to_string()]
        .into_iter()
        .chain(
            [
                c.kkmp,
                c.kkmp_ready,
                c.kkmp_partial,
                c.kkmp_none(),
                c.enrolled,
                c.attended,
                c.passed,
                c.eligible,
                c.certified,
                pct,
            ]
            .iter()
            .map(i64::to_string),
        )
        .collect()
}

/// The certified list as a CSV body that is written while it is read (UTF-8 with BOM, every
/// cell guarded against formulas). A database error mid-way ends the body early, which the
/// client sees as a failed download rather than a short file that looks complete.
fn certified_csv(state: ServerState, area: Area, filter: Filter, today: chrono::NaiveDate) -> Body {
    let head = format!("\u{feff}{}", csv_line(CERTIFIED_HEADERS.iter().copied()));
    let first = futures_util::stream::once(async move { Ok::<_, std::io::Error>(head.into_bytes()) });
    let rest = futures_util::stream::unfold(Some(0), move |after| {
        let state = state.clone();
        let filter = filter.clone();
        async move {
            let after = after?;
            match report::certified_batch(state.app.db.read(), area, &filter, today, after, BATCH).await {
                Ok(batch) => {
                    let mut chunk = String::new();
                    for p in &batch.lines {
                        chunk.push_str(&csv_line(certified_row(p, Lang::Id).iter().map(String::as_str)));
                    }
                    Some((Ok(chunk.into_bytes()), batch.next))
                }
                Err(e) => {
                    tracing::error!("streaming the certified list: {e:?}");
                    Some((Err(std::io::Error::other("database error")), None))
                }
            }
        }
    });
    use futures_util::StreamExt;
    // Fused: the compression layer polls a body once more after its end, and an `Unfold` polled
    // after it returned `None` panics — which cut every compressed download (what every
    // browser asks for) after its header line.
    Body::from_stream(first.chain(rest.fuse()))
}

/// The certified list as an XLSX with one sheet per area below `area` (per kecamatan for a
/// kota), built in a temporary file by a blocking thread fed batch by batch.
async fn certified_xlsx(
    state: &ServerState,
    area: Area,
    filter: &Filter,
    today: chrono::NaiveDate,
    heading: &export::Heading,
) -> Result<Body, AppError> {
    let heading = heading.clone();
    let db = state.app.db.read();
    let sheets = report::sheets_of(db, area).await?;
    let index: std::collections::HashMap<i32, usize> = sheets.iter().enumerate().map(|(i, (id, _))| (*id, i)).collect();
    let names: Vec<String> = sheets.into_iter().map(|(_, n)| n).collect();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(usize, Vec<String>)>>(4);
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, AppError> {
        let mut book = StreamedXlsx::new(&names, &heading, CERTIFIED_LABELS, CERTIFIED_WIDTHS)?;
        while let Some(batch) = rx.blocking_recv() {
            for (sheet, row) in batch {
                book.push(sheet, &row)?;
            }
        }
        let file = tempfile::NamedTempFile::new().map_err(|e| AppError::Internal(format!("temporary file: {e}")))?;
        book.finish(file.path())?;
        // Reopened, then the name is removed: the open handle keeps the bytes until sent.
        file.reopen().map_err(|e| AppError::Internal(format!("temporary file: {e}")))
    });
    let mut after = Some(0);
    while let Some(from) = after {
        let batch = report::certified_batch(db, area, filter, today, from, BATCH).await?;
        after = batch.next;
        let rows: Vec<(usize, Vec<String>)> = batch
            .lines
            .iter()
            .filter_map(|p| index.get(&report::child_of(area, p)).map(|i| (*i, certified_row(p, Lang::En))))
            .collect();
        if tx.send(rows).await.is_err() {
            break;
        }
    }
    drop(tx);
    let file = writer.await.map_err(|e| AppError::Internal(format!("XLSX writer: {e}")))??;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    Ok(Body::from_stream(stream))
}
