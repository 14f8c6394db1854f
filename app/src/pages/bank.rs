//! `/bank-soal/{slug}`: a module's question bank for panitia — what it holds, a Moodle GIFT
//! upload, and the confirmation of an upload with problems (a form; works without JavaScript).

use crate::{
    api::take_flash,
    app::use_lang,
    components::status::{or_error, FlashNotice},
    quiz_api::get_bank,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn BankPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let bank = Resource::new(slug, get_bank);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(bank.await.map(|b| {
                    let slug = b.slug.clone();
                    view! {
                        <Title text=format!("{} — {}", lang.pick("Bank soal", "Question bank"), b.module_title)/>
                        <nav class="breadcrumb"><a href=format!("/modul/{}", b.slug)>{b.module_title.clone()}</a></nav>
                        <h1>{lang.pick("Bank soal", "Question bank")}</h1>
                        <FlashNotice flash=flash/>
                        <form method="get" action="/bank-soal" class="row no-print">
                            <label>{lang.pick("Modul", "Module")}
                                <select name="modul">
                                    {b.modules.iter().map(|(s, title)| view! { <option value=s.clone() selected=*s == b.slug>{title.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button secondary">{lang.pick("Buka", "Open")}</button>
                        </form>
                        <p class="lead" data-testid="bank-total">{format!(
                            "{} {} {}",
                            b.total,
                            lang.pick("soal", "questions"),
                            if b.imported > 0 { format!("({} {})", b.imported, lang.pick("dari impor GIFT", "imported from GIFT")) } else { String::new() }
                        )}</p>
                        <ul class="facts-list">
                            {b.kinds.iter().map(|(k, n)| view! { <li>{format!("{k}: {n}")}</li> }).collect_view()}
                        </ul>
                        {(!b.untagged.is_empty()).then(|| view! {
                            <p class="notice notice-error" data-testid="untagged">{format!(
                                "{} {}: {}",
                                b.untagged.len(),
                                lang.pick("soal tanpa tujuan atau bagian modul (tidak ikut bentuk paralel dan laporan per tujuan; impor ulang dengan tujuan dan bagian)", "questions without an objective or section (left out of parallel forms and the per-objective report; import them again with both)"),
                                b.untagged.join(", ")
                            )}</p>
                        })}
                        {(!b.findings.is_empty()).then(|| view! {
                            <div class="notice notice-error" data-testid="bank-findings">
                                <p>{lang.pick(
                                    "Dengan soal impornya, bank soal ini tidak lolos pemeriksaan mutu yang berlaku untuk berkas modul:",
                                    "With its imported questions, this bank fails the quality checks the module file is held to:"
                                )}</p>
                                <ul>{b.findings.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}</ul>
                            </div>
                        })}
                        <p>
                            <a href=format!("/kuis/{}/awal", b.slug)>{lang.pick("Tes awal", "Pre-test")}</a>
                            " · "
                            <a href=format!("/kuis/{}/akhir", b.slug)>{lang.pick("Tes akhir", "Post-test")}</a>
                        </p>
                        {b.pending.map(|p| {
                            let ok_count = p.importable;
                            view! {
                                <section class="card" id="konfirmasi" data-testid="gift-pending">
                                    <h2>{format!("{}: {}", lang.pick("Periksa impor", "Review the import"), p.file_name)}</h2>
                                    <div class="notice notice-error" role="alert">{format!(
                                        "{} {} {}",
                                        p.problems.len(),
                                        lang.pick("masalah ditemukan.", "problems found."),
                                        lang.pick("Soal yang bermasalah hanya dilewati bila Anda setuju.", "Questions with problems are only left out if you agree.")
                                    )}</div>
                                    <div class="table-wrap">
                                        <table class="data">
                                            <thead><tr><th class="num">{lang.pick("Baris", "Line")}</th><th>{lang.pick("Masalah", "Problem")}</th><th>{lang.pick("Akibat", "Effect")}</th></tr></thead>
                                            <tbody>
                                                {p.problems.into_iter().map(|(line, message, skipped)| view! {
                                                    <tr class=if skipped { "row-error" } else { "" }>
                                                        <td class="num">{line}</td>
                                                        <td>{message}</td>
                                                        <td>{if skipped { lang.pick("dilewati", "left out") } else { lang.pick("diimpor dengan perubahan", "imported with a change") }}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    <form method="post" action="/bank-soal/konfirmasi" class="stack">
                                        <input type="hidden" name="modul" value=slug.clone()/>
                                        {(ok_count > 0).then(|| view! {
                                            <label class="inline"><input type="checkbox" name="yakin" required/>" "{format!("{} {ok_count} {}", lang.pick("Saya setuju: impor", "I agree: import"), lang.pick("soal yang valid dan lewati sisanya", "valid questions and leave out the rest"))}</label>
                                        })}
                                        <div class="row">
                                            {(ok_count > 0).then(|| view! { <button type="submit" name="aksi" value="impor" class="button">{format!("{} {ok_count} {}", lang.pick("Impor", "Import"), lang.pick("soal", "questions"))}</button> })}
                                            <button type="submit" name="aksi" value="batal" class="button secondary" formnovalidate>{lang.pick("Batalkan impor", "Cancel the import")}</button>
                                        </div>
                                    </form>
                                </section>
                            }
                        })}
                        {b.can_import.then(|| view! {
                            <section class="card no-print">
                                <h2>{lang.pick("Impor dari Moodle (GIFT)", "Import from Moodle (GIFT)")}</h2>
                                <p class="muted">{lang.pick(
                                    "Berkas teks GIFT seperti ekspor Moodle: pilihan tunggal/ganda (dengan bobot %50%), benar/salah, isian, angka. Soal menjodohkan dan esai dilaporkan dengan nomor barisnya. Soal baru masuk ke bank modul ini dan dipakai semua diklat.",
                                    "A GIFT text file as Moodle exports it: single/multiple choice (with %50% weights), true/false, short answer, numeric. Matching and essay questions are reported with their line. New questions join this module's bank, used by every diklat."
                                )}</p>
                                <form method="post" action="/bank-soal/impor" enctype="multipart/form-data" class="stack">
                                    <input type="hidden" name="modul" value=slug.clone()/>
                                    <label>{lang.pick("Tujuan modul yang diukur soal-soal ini", "The module objective these questions measure")}
                                        <select name="tujuan" required>
                                            <option value="">{lang.pick("— pilih —", "— choose —")}</option>
                                            {b.objectives.iter().enumerate().map(|(i, o)| view! { <option value=(i + 1).to_string()>{format!("{}. {o}", i + 1)}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{lang.pick("Bagian modul asal soal", "The module section they come from")}
                                        <select name="bagian" required>
                                            <option value="">{lang.pick("— pilih —", "— choose —")}</option>
                                            {b.sections.iter().map(|(anchor, title)| view! { <option value=anchor.clone()>{title.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <label>{lang.pick("Berkas GIFT (.txt / .gift, maks. 1 MB)", "GIFT file (.txt / .gift, max. 1 MB)")}
                                        <input type="file" name="berkas" accept=".txt,.gift,text/plain" required/>
                                    </label>
                                    <button type="submit" class="button">{lang.pick("Unggah dan periksa", "Upload and check")}</button>
                                </form>
                            </section>
                        })}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
