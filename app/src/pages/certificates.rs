//! Certificates: public verification (`/verifikasi`, the QR's target), a participant's own
//! certificates (`/sertifikat`) and a ZIP download's progress (`/sertifikat/unduhan/{id}`).

use crate::query::use_query_map;
use crate::{
    api::take_flash,
    app::use_lang,
    certificate_api::{my_certificates, verify_certificate, zip_job_progress, CertificateCard, VerifyOutcome},
    components::status::{or_error, FlashNotice},
    i18n::Lang,
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;
use types::CertificateStanding;

/// The certificate's standing and signed content, as a verifier reads it.
fn certificate_card(c: CertificateCard, lang: Lang) -> impl IntoView {
    let class = match c.status {
        CertificateStanding::Active => "notice notice-ok verify-status",
        _ => "notice notice-error verify-status",
    };
    let detail = match (&c.revoked, &c.expires_on, c.status) {
        (Some((date, reason)), _, _) => format!(
            "{} {} {date}. {} {reason}",
            lang.pick("Sertifikat ini TIDAK BERLAKU.", "This certificate is NOT VALID."),
            lang.pick("Dicabut pada", "Revoked on"),
            lang.pick("Alasan:", "Reason:")
        ),
        (None, Some(date), CertificateStanding::Expired) => format!(
            "{} {} {date}.",
            lang.pick("Sertifikat ini TIDAK BERLAKU lagi.", "This certificate is NO LONGER VALID."),
            lang.pick("Masa berlaku berakhir", "Expired on")
        ),
        (None, Some(date), _) => format!("{} {date}.", lang.pick("Berlaku sampai", "Valid until")),
        _ => lang.pick("Berlaku tanpa batas waktu.", "Valid with no end date.").to_string(),
    };
    let fact = |label: &'static str, value: String| view! { <dt>{label}</dt><dd>{value}</dd> };
    view! {
        <section class="card verify-card" data-testid="certificate">
            <p class=class role="status" data-testid="status">
                <strong>{lang.label(c.status)}</strong>" — "{detail}
            </p>
            <dl class="facts">
                {fact(lang.pick("Nama", "Name"), c.holder)}
                {fact("NIK", c.nik)}
                {fact(lang.pick("Jabatan", "Position"), c.jabatan)}
                {fact("KKMP", c.kkmp)}
                {fact(lang.pick("Kelurahan", "Village"), format!("{}, {} {}", c.kelurahan, lang.pick("Kec.", "district"), c.kecamatan))}
                {fact("Diklat", c.diklat)}
                {fact(lang.pick("Tanggal", "Dates"), c.dates)}
                {c.held.clone().map(|held| fact(lang.pick("Sesi berlangsung", "Sessions held"), held))}
                {fact(lang.pick("Tempat", "Venue"), c.venue)}
                {fact(lang.pick("Jam pelajaran", "Lesson hours"), format!("{} JP", c.jp))}
                {fact(lang.pick("Nomor sertifikat", "Certificate number"), c.number)}
                {fact(lang.pick("Diterbitkan", "Issued"), c.issued_on)}
            </dl>
            {(!c.modules.is_empty()).then(|| view! {
                <h2>{lang.pick("Modul yang dipelajari", "Modules covered")}</h2>
                <ul class="plain" data-testid="modules">
                    {c.modules.clone().into_iter().map(|(m, v)| view! { <li>{format!("{m} ({} {v})", lang.pick("versi", "version"))}</li> }).collect_view()}
                </ul>
            })}
            {(!c.post_tests.is_empty()).then(|| view! {
                <h2>{lang.pick("Nilai tes akhir", "Post-test grades")}</h2>
                <ul class="plain">
                    {c.post_tests.into_iter().map(|(m, g)| view! { <li>{format!("{m}: {g}")}</li> }).collect_view()}
                </ul>
            })}
            <p data-testid="signature" class=if c.signature_valid && c.status == CertificateStanding::Active { "signature" } else { "signature signature-warning" }>
                {if c.signature_valid && c.status == CertificateStanding::Active {
                    format!("✓ {} {}", lang.pick("Tanda tangan digital sah (Ed25519), kunci", "Valid digital signature (Ed25519), key"), c.key_id)
                } else if c.signature_valid {
                    // The signature proves who issued the content above, not that it still
                    // holds: say so before a reader takes a green tick for "valid".
                    format!(
                        "{} {}. {}",
                        lang.pick("Tanda tangan digital asli (Ed25519), kunci", "Genuine digital signature (Ed25519), key"),
                        c.key_id,
                        lang.pick(
                            "Tanda tangan hanya membuktikan siapa yang menerbitkan isi di atas — sertifikat ini TIDAK BERLAKU lagi (lihat statusnya di atas).",
                            "The signature only proves who issued the content above — this certificate is NO LONGER VALID (see its status above)."
                        )
                    )
                } else {
                    lang.pick("✗ Tanda tangan digital TIDAK sah: isi sertifikat ini tidak dapat dipercaya.", "✗ The digital signature is NOT valid: do not trust this certificate.").to_string()
                }}
            </p>
            <p class="hint">
                {lang.pick("Untuk pemeriksaan mesin: ", "For machine checks: ")}
                <a href=format!("/api/v1/certificates/{}", c.code)>{lang.pick("data bertanda tangan (JSON)", "signed data (JSON)")}</a>" · "
                <a href="/.well-known/diklat-kkmp-keys.json">{lang.pick("kunci publik", "public key")}</a>
            </p>
        </section>
    }
}

/// `/verifikasi` (a field for the code) and `/verifikasi/{code}` (what the QR opens).
#[component]
pub fn VerifyPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let query = use_query_map();
    let code = move || params.read().get("code").or_else(|| query.read().get("kode")).unwrap_or_default();
    let result = Resource::new(code, verify_certificate);
    let title = lang.pick("Cek keaslian sertifikat", "Verify a certificate");
    view! {
        <Title text=title/>
        <div class="narrow">
            <h1>{title}</h1>
            <Suspense fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    or_error(result.await.map(|v| {
                        let outcome = match v.outcome {
                            VerifyOutcome::Empty => view! {
                                <p class="lead">{lang.pick(
                                    "Ketik kode verifikasi yang tercetak di bawah kode QR sertifikat, atau pindai kode QR-nya.",
                                    "Type the verification code printed under the certificate's QR code, or scan the QR code."
                                )}</p>
                            }.into_any(),
                            VerifyOutcome::Typo(message) => view! {
                                <p class="notice notice-error" role="alert" data-testid="status">{format!("{} {message}", lang.pick("Kode tidak valid:", "Not a valid code:"))}</p>
                            }.into_any(),
                            VerifyOutcome::Number => view! {
                                <p class="notice notice-error" role="alert" data-testid="status">{lang.pick(
                                    "Yang Anda ketik adalah nomor sertifikat, bukan kode verifikasi. Kode verifikasi tercetak di bawah kode QR sertifikat: 17 karakter dalam lima kelompok, misalnya 7K3M-Q9XD-T2VB-8HNC-R. Atau pindai kode QR-nya.",
                                    "What you typed is the certificate number, not its verification code. The code is printed under the certificate's QR code: 17 characters in five groups, e.g. 7K3M-Q9XD-T2VB-8HNC-R. Or scan the QR code."
                                )}</p>
                            }.into_any(),
                            VerifyOutcome::Unknown => view! {
                                <p class="notice notice-error" role="alert" data-testid="status">{lang.pick(
                                    "Kode ini tidak terdaftar. Periksa kembali kode pada sertifikat; sertifikat tanpa kode yang terdaftar tidak sah.",
                                    "This code is not registered. Check the code on the certificate; a certificate without a registered code is not genuine."
                                )}</p>
                            }.into_any(),
                            VerifyOutcome::Found(card) => certificate_card(*card, lang).into_any(),
                        };
                        view! {
                            {outcome}
                            <form method="get" action="/verifikasi" class="stack verify-form">
                                <label>{lang.pick("Kode verifikasi", "Verification code")}
                                    <input name="kode" value=v.typed class="verify-code" placeholder="XXXX-XXXX-XXXX-XXXX-X"
                                        autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="40" required/>
                                </label>
                                <button type="submit" class="button">{lang.pick("Periksa", "Check")}</button>
                            </form>
                        }
                    }))
                })}
            </Suspense>
        </div>
    }
}

/// `/sertifikat`: the participant's certificates with their PDFs.
#[component]
pub fn MyCertificatesPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let certificates = Resource::new(|| (), |_| my_certificates());
    let title = lang.pick("Sertifikat saya", "My certificates");
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(certificates.await.map(|list| {
                    if list.is_empty() {
                        return view! {
                            <p class="empty" data-testid="empty">{lang.pick(
                                "Belum ada sertifikat. Sertifikat terbit otomatis begitu Anda memenuhi syarat kelulusan diklat: kehadiran minimal dan lulus semua tes akhir.",
                                "No certificates yet. A certificate is issued automatically once you meet the diklat's completion rule: minimum attendance and every post-test passed."
                            )}</p>
                        }.into_any();
                    }
                    view! {
                        <ul class="cards" data-testid="certificates">
                            {list.into_iter().map(|c| view! {
                                <li class="card">
                                    <h2>{c.card.diklat.clone()}</h2>
                                    <p><strong>{c.card.number.clone()}</strong>" · "{lang.label(c.card.status)}</p>
                                    <p class="hint">{format!("{} {} · {} {}", lang.pick("Diterbitkan", "Issued"), c.card.issued_on, lang.pick("kode", "code"), c.card.code)}</p>
                                    <p>
                                        <a class="button" href=c.pdf.clone() download>{lang.pick("Unduh PDF", "Download PDF")}</a>" "
                                        <a href=c.verify_url.clone()>{lang.pick("Halaman verifikasi", "Verification page")}</a>
                                    </p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/sertifikat/unduhan/{id}`: a ZIP's progress; the page reloads itself every two seconds
/// (a meta refresh, so it works without JavaScript) until the download is ready.
#[component]
pub fn ZipProgressPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let progress = Resource::new(id, zip_job_progress);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(progress.await.map(|p| {
                    let running = p.download.is_none() && p.error.is_none();
                    let percent = (p.done * 100).checked_div(p.total).unwrap_or(100);
                    view! {
                        <Title text=p.title.clone()/>
                        {running.then(|| view! { <Meta http_equiv="refresh" content="2"/> })}
                        <nav class="breadcrumb no-print"><a href=p.back.clone()>{lang.pick("‹ Kembali", "‹ Back")}</a></nav>
                        <h1>{p.title.clone()}</h1>
                        <FlashNotice flash=flash/>
                        <p data-testid="zip-progress">
                            <progress max=p.total value=p.done>{format!("{percent}%")}</progress>" "
                            {format!("{} {} {} {}", p.done, lang.pick("dari", "of"), p.total, lang.pick("sertifikat", "certificates"))}
                        </p>
                        {match (p.download, p.error) {
                            (_, Some(e)) => view! { <p class="notice notice-error" role="alert">{e}</p> }.into_any(),
                            (Some(href), None) => view! {
                                <p><a class="button" href=href data-testid="zip-download" download>{lang.pick("Unduh ZIP", "Download the ZIP")}</a></p>
                                <p class="hint">{lang.pick("Berkas tersedia selama satu jam.", "The file is kept for one hour.")}</p>
                            }.into_any(),
                            (None, None) => view! {
                                <p class="hint">{lang.pick("Sedang menyusun PDF… halaman ini diperbarui otomatis.", "Building the PDFs… this page refreshes by itself.")}</p>
                            }.into_any(),
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
