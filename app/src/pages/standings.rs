//! `/diklat/{id}/kelulusan`: who meets the diklat's completion rule, and what each participant
//! still misses (attendance, post-tests, pre-tests).

use crate::{
    api::take_flash,
    app::use_lang,
    components::status::{or_error, FlashNotice},
    i18n::Lang,
    schedule_api::{diklat_standings, IssuedCertificate},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn StandingsPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let standings = Resource::new(id, diklat_standings);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(standings.await.map(|s| {
                    let due = s.rows.iter().filter(|r| r.eligible && r.certificate.is_none()).count();
                    let issued = s.rows.iter().filter(|r| r.certificate.is_some()).count();
                    // Kelurahan with at least one certificate: the choices of a ZIP per kelurahan.
                    let mut villages: Vec<String> =
                        s.rows.iter().filter(|r| r.certificate.is_some()).map(|r| r.village.clone()).collect();
                    villages.sort();
                    villages.dedup();
                    let title = lang.pick("Kelulusan", "Completion");
                    let total = s.rows.len();
                    view! {
                        <Title text=format!("{title} — {}", s.diklat_name)/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a>" › "<a href=format!("/diklat/{}", s.diklat_id)>{s.diklat_name.clone()}</a></nav>
                        <h1>{title}</h1>
                        <p class="muted" data-testid="rule">{format!(
                            "{} {}% {} · {} {} · {} {}{}",
                            lang.pick("Syarat: kehadiran minimal", "Rule: attendance of at least"),
                            s.min_attendance,
                            lang.pick("dari semua sesi", "of all sessions"),
                            lang.pick("lulus tes akhir modul", "post-test passed in"),
                            if s.modules.is_empty() { lang.pick("(belum ada modul: tambahkan sesi dengan modul)", "(no module yet: add sessions with a module)").to_string() } else { s.modules.join(", ") },
                            lang.pick("tes dikerjakan untuk diklat ini, tes akhir sampai", "tests taken for this diklat, post-tests until"),
                            s.tests_close_on,
                            if s.require_pretests { lang.pick(" · tes awal wajib diikuti", " · pre-tests required") } else { "" }
                        )}</p>
                        <FlashNotice flash=flash/>
                        {(!s.unmet.is_empty()).then(|| unmet_certificates(&s.unmet, lang))}
                        {early_issue(s.diklat_id, s.issue_allowed, s.last_session_end.clone(), s.early_issue.clone(), lang)}
                        <p class="lead" data-testid="eligible">{format!("{} {} {total} {}", s.eligible, lang.pick("dari", "of"), lang.pick("peserta memenuhi syarat", "participants meet the rule"))}
                            " · "<span data-testid="issued">{format!("{issued} {}", lang.pick("sertifikat terbit", "certificates issued"))}</span></p>
                        {certificate_actions(s.diklat_id, due, issued, villages, lang)}
                        {if total == 0 {
                            view! { <p class="empty">{lang.pick("Belum ada peserta terdaftar.", "Nobody is enrolled yet.")}</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="data" data-testid="standings">
                                        <thead><tr>
                                            <th>{lang.pick("Nama", "Name")}</th>
                                            <th>{lang.pick("Kehadiran", "Attendance")}</th>
                                            <th>{lang.pick("Tes", "Tests")}</th>
                                            <th>{lang.pick("Status", "Status")}</th>
                                            <th>{lang.pick("Sertifikat", "Certificate")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {s.rows.into_iter().map(|r| {
                                                let evaluation = (!r.evaluation_missing.is_empty()).then(|| {
                                                    view! { <><br/><span class="warn" data-testid="evaluation-missing">{format!("{} {}", lang.pick("evaluasi belum diisi:", "evaluation not filled in:"), r.evaluation_missing.join(", "))}</span></> }
                                                });
                                                let tests = if r.post_missing.is_empty() && r.pre_missing.is_empty() {
                                                    format!("✓ {}", lang.pick("semua tes akhir lulus", "all post-tests passed"))
                                                } else {
                                                    let mut parts = Vec::new();
                                                    if !r.post_missing.is_empty() {
                                                        parts.push(format!("{} {}", lang.pick("belum lulus tes akhir:", "post-test not passed:"), r.post_missing.join(", ")));
                                                    }
                                                    if !r.pre_missing.is_empty() {
                                                        parts.push(format!("{} {}", lang.pick("belum ikut tes awal:", "pre-test not taken:"), r.pre_missing.join(", ")));
                                                    }
                                                    parts.join(" · ")
                                                };
                                                view! {
                                                    <tr>
                                                        <td>{r.name}<br/><span class="hint">{format!("{} · {}", r.kkmp, r.village)}</span></td>
                                                        <td class:warn=!r.attendance_ok>{format!("{}/{} ({}%)", r.present, r.sessions, r.percent)}{r.attendance_ok.then_some(" ✓")}</td>
                                                        <td class:warn=!r.post_missing.is_empty() || !r.pre_missing.is_empty()>{tests}{evaluation}</td>
                                                        <td>{if r.eligible { view! { <strong>{lang.pick("Memenuhi syarat", "Meets the rule")}</strong> }.into_any() } else { view! { <span>{lang.pick("Belum", "Not yet")}</span> }.into_any() }}</td>
                                                        <td>{r.certificate.map(|c| certificate_cell(c, lang))}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// Certificates whose holders no longer meet the rule (after a change to it, to a mark or to a
/// result): never changed silently, each waits for the panitia to keep or revoke it.
fn unmet_certificates(unmet: &[crate::schedule_api::UnmetCertificate], lang: Lang) -> impl IntoView {
    view! {
        <section class="card notice-error stack" data-testid="unmet" role="alert">
            <h2>{format!("{} ({})", lang.pick("Sertifikat yang tidak lagi memenuhi syarat", "Certificates that no longer meet the rule"), unmet.len())}</h2>
            <p class="hint">{lang.pick(
                "Aturan, presensi, atau nilai berubah sesudah sertifikat ini terbit. Periksa setiap sertifikat: tetap berlakukan (keputusan Anda tercatat) atau cabut dengan alasan (di kolom Sertifikat, Kelola).",
                "The rule, attendance or a result changed after these were issued. Decide for each: keep it (your decision is recorded) or revoke it with a reason (Certificate column, Manage)."
            )}</p>
            <ul class="stack">
                {unmet.iter().map(|u| view! {
                    <li data-unmet=u.number.clone()>
                        <strong>{u.number.clone()}</strong>" · "{u.name.clone()}": "{u.reasons.clone()}
                        <form method="post" action="/sertifikat/tetap" class="inline-form">
                            <input type="hidden" name="id" value=u.id/>
                            <label class="inline"><input type="checkbox" name="yakin" value="ya" required/>" "{lang.pick("Saya memutuskan sertifikat ini tetap berlaku", "I decide this certificate stays valid")}</label>
                            <button type="submit" class="button secondary small">{lang.pick("Tetap berlakukan", "Keep it")}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Before the last session has ended no certificate is issued; an exception can be recorded,
/// with its reason, and is shown once recorded.
fn early_issue(
    diklat_id: i32,
    allowed: bool,
    last_end: Option<String>,
    exception: Option<(String, String)>,
    lang: Lang,
) -> impl IntoView {
    if let Some((reason, at)) = exception {
        return view! {
            <p class="notice" data-testid="early-issue">{format!("{} {at}: {reason}", lang.pick("Pengecualian penerbitan sebelum sesi terakhir selesai, dicatat", "Exception to issue before the last session ended, recorded"))}</p>
        }.into_any();
    }
    if allowed {
        return ().into_any();
    }
    view! {
        <section class="card stack no-print" data-testid="not-yet">
            <p>{match last_end {
                Some(end) => format!("{} {end}.", lang.pick("Sertifikat terbit setelah sesi terakhir selesai:", "Certificates are issued after the last session ends:")),
                None => lang.pick("Sertifikat belum dapat terbit: diklat ini belum mempunyai sesi.", "No certificate can be issued yet: this diklat has no sessions.").to_string(),
            }}</p>
            <details>
                <summary>{lang.pick("Catat pengecualian (hanya dengan alasan sah)", "Record an exception (with a valid reason only)")}</summary>
                <form method="post" action=format!("/diklat/{diklat_id}/sertifikat/lebih-awal") class="stack">
                    <label>{lang.pick("Alasan (minimal 20 karakter; tercatat di log audit)", "Reason (at least 20 characters; kept in the audit log)")}
                        <textarea name="alasan" required minlength="20" maxlength="500" rows="2"></textarea>
                    </label>
                    <label class="inline"><input type="checkbox" name="yakin" value="ya" required/>" "{lang.pick("Saya bertanggung jawab atas pengecualian ini", "I take responsibility for this exception")}</label>
                    <button type="submit" class="button secondary">{lang.pick("Catat pengecualian", "Record the exception")}</button>
                </form>
            </details>
        </section>
    }.into_any()
}

/// Bulk issue and the ZIP downloads.
fn certificate_actions(diklat_id: i32, due: usize, issued: usize, villages: Vec<String>, lang: Lang) -> impl IntoView {
    view! {
        <div class="card no-print stack" data-testid="certificate-actions">
            {if due > 0 {
                view! {
                    <form method="post" action=format!("/diklat/{diklat_id}/sertifikat/terbitkan") class="inline-form">
                        <label class="inline"><input type="checkbox" name="yakin" value="ya" required/>" "{format!(
                            "{} {due} {}",
                            lang.pick("Saya sudah memeriksa daftar; terbitkan sertifikat untuk", "I have checked the list; issue certificates to"),
                            lang.pick("peserta yang memenuhi syarat", "participants who meet the rule")
                        )}</label>
                        <button type="submit" class="button">{lang.pick("Terbitkan sertifikat", "Issue certificates")}</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="hint">{lang.pick(
                    "Sertifikat terbit otomatis saat peserta memenuhi syarat; tidak ada yang menunggu.",
                    "Certificates are issued automatically when a participant meets the rule; none are waiting."
                )}</p> }.into_any()
            }}
            {(issued > 0).then(|| view! {
                <form method="post" action=format!("/diklat/{diklat_id}/sertifikat/zip") class="inline-form">
                    <label>{lang.pick("Unduh PDF sebagai ZIP", "Download the PDFs as a ZIP")}
                        <select name="kelurahan">
                            <option value="">{format!("{} ({issued})", lang.pick("Semua kelurahan", "All villages"))}</option>
                            {villages.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit" class="button secondary">{lang.pick("Buat ZIP", "Build the ZIP")}</button>
                </form>
            })}
        </div>
    }
}

/// A participant's certificate: number, status, PDF, and (in a fold) expiry and revocation.
fn certificate_cell(c: IssuedCertificate, lang: Lang) -> impl IntoView {
    let status = lang.label(c.status).to_lowercase();
    let revoked = c.status == types::CertificateStanding::Revoked;
    view! {
        <div data-certificate=c.number.clone()>
            <a href=format!("/unduh/sertifikat/{}.pdf", c.code)>{c.number.clone()}</a>
            <br/><span class:warn=c.status != types::CertificateStanding::Active>{status}</span>
            {c.revocation_reason.clone().map(|r| view! { <br/><span class="hint">{r}</span> })}
            " · "<a href=format!("/verifikasi/{}", c.code)>{lang.pick("verifikasi", "verify")}</a>
            <details class="no-print">
                <summary>{lang.pick("Kelola", "Manage")}</summary>
                <form method="post" action="/sertifikat/berlaku" class="stack">
                    <input type="hidden" name="id" value=c.id/>
                    <label>{lang.pick("Berlaku sampai (kosong = tanpa batas)", "Valid until (empty = no end)")}
                        <input type="date" name="tanggal" value=c.expires_on.clone().unwrap_or_default()/>
                    </label>
                    <button type="submit" class="button secondary small">{lang.pick("Simpan masa berlaku", "Save the expiry")}</button>
                </form>
                {(!revoked).then(|| view! {
                    <form method="post" action="/sertifikat/cabut" class="stack danger-zone">
                        <input type="hidden" name="id" value=c.id/>
                        <label>{lang.pick("Alasan pencabutan (ditampilkan saat diverifikasi)", "Reason for revoking (shown on verification)")}
                            <textarea name="alasan" required minlength="10" maxlength="500" rows="2"></textarea>
                        </label>
                        <label class="inline"><input type="checkbox" name="yakin" value="ya" required/>" "{format!("{} {}", lang.pick("Saya yakin mencabut", "I am sure I want to revoke"), c.number)}</label>
                        <button type="submit" class="button danger small">{lang.pick("Cabut sertifikat", "Revoke the certificate")}</button>
                    </form>
                })}
            </details>
        </div>
    }
}
