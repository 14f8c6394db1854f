//! Every export and PDF as a browser downloads it: with `Accept-Encoding: gzip, br` (what every
//! browser sends), whole, never cached, under a file name the request cannot choose.
//! (Outside testing, 2026-12: the certified list came back as its header line only once
//! compressed, the case no test had tried.)

use crate::db_test;
use crate::helpers::TestApp;
use domain::entities::{diklat_session, person};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::io::Read;

const PANITIA: (&str, &str) = ("panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp");

/// The body of `path` as `client` gets it with `encoding` ("identity", "gzip" or "br"), decoded,
/// with the response's headers.
pub(crate) async fn download(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    encoding: &str,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let r = client.get(app.url(path)).header("accept-encoding", encoding).send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    let raw = r.bytes().await.unwrap().to_vec();
    let body = match headers.get("content-encoding").map(|v| v.to_str().unwrap().to_string()).as_deref() {
        Some("gzip") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).expect("a whole gzip stream");
            out
        }
        Some("br") => {
            let mut out = Vec::new();
            brotli::Decompressor::new(&raw[..], 4096).read_to_end(&mut out).expect("a whole brotli stream");
            out
        }
        Some(other) => panic!("{path}: unexpected encoding {other}"),
        None => raw,
    };
    (status, headers, body)
}

/// Rows of a CSV body (BOM and header line left out).
fn csv_rows(body: &[u8]) -> usize {
    let text = String::from_utf8_lossy(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)).to_string();
    csv::ReaderBuilder::new().from_reader(text.as_bytes()).records().count()
}

db_test!(every_export_downloaded_as_a_browser_asks_for_it_is_whole_uncached_and_safely_named, |app| {
    let certificates = app.seed_demo_with_certificates().await;
    // The reports read the standings summary, which a background task keeps current.
    domain::services::report::refresh_stale(app.state.db.read(), app.state.db.write(), &app.state.quiz_modules(), None)
        .await
        .unwrap();
    let panitia = app.browser();
    app.sign_in(&panitia, PANITIA.0, PANITIA.1).await;
    let october = app.diklat(domain::demo::DIKLAT_CODE).await;
    let session = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(october.id))
        .order_by_asc(diklat_session::Column::Id)
        .one(app.state.db.read())
        .await
        .unwrap()
        .unwrap();
    let people = person::Entity::find()
        .filter(person::Column::CooperativeId.is_not_null())
        .count(app.state.db.read())
        .await
        .unwrap() as usize;
    let valid = certificates.iter().filter(|c| c.revoked_at.is_none()).count();
    assert!(valid > 0);
    let d = october.id;
    // (path, rows expected in a CSV, or None for a binary file)
    let exports: Vec<(String, Option<usize>)> = vec![
        ("/peserta/ekspor.csv".into(), Some(people)),
        (format!("/laporan/ekspor/bersertifikat.csv?diklat={d}"), Some(valid)),
        (format!("/laporan/ekspor/bersertifikat.xlsx?diklat={d}"), None),
        (format!("/laporan/ekspor/cakupan.csv?diklat={d}"), Some(6)),
        (format!("/laporan/ekspor/cakupan.xlsx?diklat={d}"), None),
        (format!("/unduh/sesi/presensi-sesi-{}.csv", session.id), Some(114)),
        (format!("/unduh/sesi/presensi-sesi-{}.xlsx", session.id), None),
        (format!("/unduh/diklat/kehadiran-diklat-{d}.csv"), Some(114)),
        (format!("/unduh/diklat/kehadiran-diklat-{d}.xlsx"), None),
        (format!("/unduh/kuis/hasil-{d}-pengembangan-usaha.csv"), Some(114)),
        (format!("/unduh/kuis/kelurahan-{d}-pengembangan-usaha.xlsx"), None),
        (format!("/unduh/sertifikat/{}.pdf", certificates[0].verification_code), None),
    ];
    for (path, rows) in &exports {
        let (status, plain_headers, plain) = download(&app, &panitia, path, "identity").await;
        assert_eq!(status, 200, "{path}");
        if let Some(rows) = rows {
            assert_eq!(csv_rows(&plain), *rows, "{path}: rows against the database");
        }
        for encoding in ["gzip, br", "gzip", "br"] {
            let (status, headers, body) = download(&app, &panitia, path, encoding).await;
            assert_eq!(status, 200, "{path} ({encoding})");
            if path.ends_with(".csv") || path.contains(".csv?") {
                assert!(headers.contains_key("content-encoding"), "{path}: text is compressed for {encoding}");
                assert_eq!(csv_rows(&body), csv_rows(&plain), "{path} ({encoding}): every row arrives");
            }
            if !path.contains(".xlsx") && !path.ends_with(".pdf") {
                assert_eq!(body, plain, "{path} ({encoding}): the same bytes");
            } else {
                assert!(body.len() > 1000 && body[..2] == plain[..2], "{path} ({encoding}): a whole file");
            }
        }
        let cache = plain_headers.get("cache-control").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(cache.contains("no-store"), "{path}: {cache}");
        let disposition = plain_headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\""), "{path}: {disposition}");
    }
});

db_test!(a_crafted_id_cannot_choose_the_name_or_type_a_download_is_saved_under, |app| {
    app.seed_demo().await;
    let panitia = app.browser();
    app.sign_in(&panitia, PANITIA.0, PANITIA.1).await;
    let d = app.diklat(domain::demo::DIKLAT_CODE).await;
    for path in [
        format!("/unduh/diklat/laporan.html%22%3B-{}.csv", d.id),
        format!("/unduh/diklat/kehadiran-diklat-{}.html", d.id),
        format!("/unduh/diklat/x%0d%0aSet-Cookie%3a%20a%3db-{}.csv", d.id),
        format!("/unduh/sesi/laporan.html-{}.xlsx", d.id),
        format!("/unduh/kuis/hasil-{}-pengembangan-usaha%22.html.csv", d.id),
    ] {
        let r = panitia.get(app.url(&path)).send().await.unwrap();
        let status = r.status().as_u16();
        assert!(status == 404 || status == 200, "{path}: {status}, never a 500");
        if let Some(disposition) = r.headers().get("content-disposition") {
            let disposition = disposition.to_str().unwrap();
            assert!(!disposition.contains(".html") && !disposition.contains('\n'), "{path}: {disposition}");
        }
        assert!(
            r.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("a=")),
            "{path}: no header written from the path"
        );
    }
    // The canonical name still works and names the file after the diklat.
    let r = panitia.get(app.url(&format!("/unduh/diklat/kehadiran-diklat-{}.csv", d.id))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"].to_str().unwrap(),
        format!("attachment; filename=\"kehadiran-diklat-{}.csv\"", d.id)
    );
});
