//! `/laporan` (pejabat, panitia, admin): who is certified, coverage and KKMP readiness per area
//! with a drill-down from provinsi to the people of a KKMP, learning results, exports;
//! `/laporan/cetak`: the same summary laid out for paper; `/capaian`: the public aggregate.
//! Every filter is a GET parameter, so each view has a URL that can be shared.

use crate::query::use_query_map;
use crate::{
    app::use_lang,
    components::status::or_error,
    i18n::{decimal, percent, thousands, Lang},
    report_api::{capaian_view, report_view, Counts, CoverageRow, LearningLine, PeopleList, ReportQuery},
};
use leptos::prelude::*;
use leptos_meta::Title;
use types::CertificateStanding;

fn use_report_query() -> impl Fn() -> ReportQuery + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || {
        let q = query.read();
        ReportQuery {
            diklat: q.get("diklat"),
            wilayah: q.get("wilayah"),
            jabatan: q.get("jabatan"),
            status: q.get("status"),
            q: q.get("q"),
            hal: q.get("hal"),
        }
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    report_page(false)
}

#[component]
pub fn ReportPrintPage() -> impl IntoView {
    report_page(true)
}

fn report_page(print: bool) -> AnyView {
    let lang = use_lang();
    let t = lang.t();
    let query = use_report_query();
    let report = Resource::new(query, report_view);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let q = query();
                or_error(report.await.map(|r| {
                    let title = format!("{} — {}", lang.pick("Laporan capaian diklat", "Training report"), r.name);
                    let scope = r.diklat_name.clone().unwrap_or_else(|| lang.pick("Semua diklat", "All training").to_string());
                    let empty = r.total.enrolled == 0;
                    view! {
                        <Title text=title.clone()/>
                        <nav class="breadcrumb" aria-label=lang.pick("Wilayah", "Region")>
                            {r.trail.iter().map(|(code, name)| view! {
                                <a href=q.href("/laporan", &[("wilayah", Some(code.as_str())), ("hal", None)])>{name.clone()}</a>" › "
                            }).collect_view()}
                            <span>{r.name.clone()}</span>
                        </nav>
                        <h1>{title}</h1>
                        <p class="muted">{format!("{scope} · {} {}", lang.pick("data per", "as of"), r.generated)}</p>
                        {(!print).then(|| filters(&q, &r.diklat_choices, lang))}
                        {headline(&r.total, lang)}
                        {empty.then(|| view! { <p class="empty">{lang.pick(
                            "Belum ada peserta terdaftar di wilayah ini untuk pilihan ini.",
                            "Nobody is enrolled in this area for this selection yet."
                        )}</p> })}
                        {r.drills.then(|| view! {
                        <section class="stack" aria-labelledby="coverage-heading">
                            <h2 id="coverage-heading">{format!("{} {}", lang.pick("Cakupan per", "Coverage by"), r.child_label.to_lowercase())}</h2>
                            {(!print).then(|| view! {
                                <p class="no-print actions">
                                    <a class="button secondary" href=q.href("/laporan/ekspor/cakupan.csv", &[("hal", None)])>"CSV"</a>" "
                                    <a class="button secondary" href=q.href("/laporan/ekspor/cakupan.xlsx", &[("hal", None)])>"XLSX"</a>" "
                                    <a class="button secondary" href=q.href("/laporan/cetak", &[("hal", None)])>{lang.pick("Versi cetak", "Print view")}</a>
                                </p>
                            })}
                            {readiness_chart(&r.rows, &r.child_label, lang)}
                            {coverage_table(&q, &r.rows, &r.total, &r.child_label, !print, "/laporan", lang)}
                        </section>
                        })}
                        {learning_section(&r.modules, &r.learning_rows, &r.child_label, lang)}
                        {(!r.satisfaction.is_empty()).then(|| view! {
                            <section class="stack" aria-labelledby="satisfaction-heading">
                                <h2 id="satisfaction-heading">{lang.pick("Kepuasan peserta (IKM) per diklat", "Participant satisfaction (IKM) per training")}</h2>
                                <div class="table-wrap">
                                    <table class="data" data-testid="satisfaction">
                                        <thead><tr>
                                            <th scope="col">{lang.pick("Diklat", "Training")}</th>
                                            <th scope="col">{lang.pick("Penjawab", "Answers")}</th>
                                            <th scope="col">{lang.pick("IKM (25–100) · mutu", "IKM (25–100) · grade")}</th>
                                        </tr></thead>
                                        <tbody>
                                            {r.satisfaction.iter().map(|(name, n, ikm)| view! {
                                                <tr><td>{name.clone()}</td><td class="num">{*n}</td><td>{ikm.clone().unwrap_or_else(|| lang.pick("terlalu sedikit jawaban", "too few answers").to_string())}</td></tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <p class="hint">{lang.pick("IKM menurut PermenPANRB 14/2017: rata-rata nilai per unsur (1–4) × 25; A ≥ 88,31 · B ≥ 76,61 · C ≥ 65,00 · D di bawahnya.", "IKM as in PermenPANRB 14/2017: mean rating per item (1–4) × 25; A ≥ 88.31 · B ≥ 76.61 · C ≥ 65.00 · D below.")}</p>
                            </section>
                        })}
                        {if print {
                            view! {
                                <div class="signature-block">
                                    <p>{format!("{}, ____________________", lang.pick("Malang", "Malang"))}</p>
                                    <p>{lang.pick("Mengetahui,", "Acknowledged,")}</p>
                                    <p class="signature-space"></p>
                                    <p>"(______________________________)"</p>
                                </div>
                            }.into_any()
                        } else {
                            people_section(&q, r.people, lang).into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

fn filters(q: &ReportQuery, diklat: &[(i32, String)], lang: Lang) -> impl IntoView {
    let chosen = |v: &Option<String>, option: &str| v.as_deref() == Some(option);
    view! {
        <form method="get" action="/laporan" class="filters card no-print" data-testid="report-filters">
            {q.wilayah.clone().filter(|w| !w.is_empty()).map(|w| view! { <input type="hidden" name="wilayah" value=w/> })}
            <label>{lang.pick("Diklat", "Training")}
                <select name="diklat">
                    <option value="">{lang.pick("Semua diklat", "All training")}</option>
                    {(diklat.len() >= 50).then(|| view! { <option disabled=true>{lang.pick("— 50 diklat terbaru di wilayah ini —", "— the 50 newest in this area —")}</option> })}
                    {diklat.iter().map(|(id, name)| {
                        let id = id.to_string();
                        view! { <option value=id.clone() selected=chosen(&q.diklat, &id)>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{lang.pick("Jabatan", "Position")}
                <select name="jabatan">
                    <option value="">{lang.pick("Semua", "All")}</option>
                    <option value="pengurus" selected=chosen(&q.jabatan, "pengurus")>{lang.pick("Pengurus", "Board")}</option>
                    <option value="pengawas" selected=chosen(&q.jabatan, "pengawas")>{lang.pick("Pengawas", "Supervisors")}</option>
                </select>
            </label>
            <label>{lang.pick("Status peserta", "Participant status")}
                <select name="status">
                    <option value="">{lang.pick("Semua", "All")}</option>
                    <option value="bersertifikat" selected=chosen(&q.status, "bersertifikat")>{lang.pick("Bersertifikat", "Certified")}</option>
                    <option value="memenuhi" selected=chosen(&q.status, "memenuhi")>{lang.pick("Memenuhi syarat, belum bersertifikat", "Meets the rule, not certified")}</option>
                    <option value="belum" selected=chosen(&q.status, "belum")>{lang.pick("Belum memenuhi syarat", "Does not meet the rule yet")}</option>
                </select>
            </label>
            <label>{lang.pick("Cari nama", "Search by name")}
                <input type="search" name="q" value=q.q.clone().unwrap_or_default() maxlength="100"/>
            </label>
            <div class="actions">
                <button type="submit" class="button">{lang.pick("Terapkan", "Apply")}</button>" "
                <a href=q.href("/laporan", &[("diklat", None), ("jabatan", None), ("status", None), ("q", None), ("hal", None)])>{lang.pick("Hapus filter", "Clear filters")}</a>
            </div>
        </form>
    }
}

fn headline(c: &Counts, lang: Lang) -> impl IntoView {
    let figure = |testid: &'static str, value: i64, label: &'static str, note: String| {
        view! {
            <div class="figure" data-testid=testid>
                <strong>{thousands(value, lang)}</strong>
                <span>{label}</span>
                <small class="hint">{note}</small>
            </div>
        }
    };
    let of_enrolled = |n: i64| format!("{}% {}", percent(n, c.enrolled), lang.pick("dari terdaftar", "of enrolled"));
    let of_kkmp = |n: i64| format!("{}% {} {}", percent(n, c.kkmp), lang.pick("dari", "of"), thousands(c.kkmp, lang));
    view! {
        <div class="figures" data-testid="headline">
            {figure("enrolled", c.enrolled, lang.pick("peserta terdaftar", "participants enrolled"), String::new())}
            {figure("attended", c.attended, lang.pick("kehadiran memenuhi syarat", "attendance meets the rule"), of_enrolled(c.attended))}
            {figure("passed", c.passed, lang.pick("lulus semua tes akhir", "passed every post-test"), of_enrolled(c.passed))}
            {figure("certified", c.certified, lang.pick("bersertifikat", "certified"), of_enrolled(c.certified))}
        </div>
        <div class="figures" data-testid="readiness">
            {figure("kkmp-ready", c.kkmp_ready, lang.pick("KKMP siap (pengurus dan pengawas bersertifikat)", "KKMP ready (board and supervisor certified)"), of_kkmp(c.kkmp_ready))}
            {figure("kkmp-partial", c.kkmp_partial, lang.pick("KKMP sebagian", "KKMP partly"), of_kkmp(c.kkmp_partial))}
            {figure("kkmp-none", c.kkmp_none(), lang.pick("KKMP belum", "KKMP not yet"), of_kkmp(c.kkmp_none()))}
        </div>
    }
}

/// KKMP readiness per area as a stacked bar chart, drawn on the server: readable without
/// JavaScript, with a text alternative (the table below carries the same figures).
fn readiness_chart(rows: &[CoverageRow], child_label: &str, lang: Lang) -> impl IntoView {
    // One column that reads on a 360 px phone as on a desktop: each area's name and percentage on
    // a line of their own, its bar the full width below (a name beside its bar shrank the text
    // to ~6 px on a phone). The drawing is 360 units wide and shown at most 30rem wide.
    const WIDTH: f64 = 360.0;
    const ROW_H: f64 = 40.0;
    let height = ROW_H * rows.len() as f64 + 26.0;
    let summary = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} {} {}, {} {}",
                r.name,
                r.counts.kkmp_ready,
                lang.pick("dari", "of"),
                r.counts.kkmp,
                r.counts.kkmp_partial,
                lang.pick("sebagian", "partly")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let title = format!("{} {}", lang.pick("KKMP siap per", "KKMP ready by"), child_label.to_lowercase());
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-labelledby="chart-title chart-desc" width="100%" data-testid="readiness-chart">
                <title id="chart-title">{title.clone()}</title>
                <desc id="chart-desc">{summary}</desc>
                {rows.iter().enumerate().map(|(i, r)| {
                    let y = i as f64 * ROW_H;
                    let total = r.counts.kkmp.max(1) as f64;
                    let ready = WIDTH * r.counts.kkmp_ready as f64 / total;
                    let partial = WIDTH * r.counts.kkmp_partial as f64 / total;
                    let rest = if r.counts.kkmp == 0 { 0.0 } else { WIDTH - ready - partial };
                    view! {
                        <g>
                            <text x="0" y=y + 15.0 class="chart-label"><title>{r.name.clone()}</title>{short_name(&r.name)}</text>
                            <text x=WIDTH y=y + 15.0 text-anchor="end" class="chart-label">{format!(
                                "{}% {}",
                                percent(r.counts.kkmp_ready, r.counts.kkmp),
                                lang.pick("siap", "ready")
                            )}</text>
                            <rect x="0" y=y + 20.0 width=ready height="14" class="bar-ready"/>
                            <rect x=ready y=y + 20.0 width=partial height="14" class="bar-partial"/>
                            <rect x=ready + partial y=y + 20.0 width=rest height="14" class="bar-none"/>
                        </g>
                    }
                }).collect_view()}
                <g transform=format!("translate(0 {})", height - 22.0)>
                    <rect x="0" y="4" width="12" height="12" class="bar-ready"/>
                    <text x="16" y="15" class="chart-label">{lang.pick("siap", "ready")}</text>
                    <rect x="80" y="4" width="12" height="12" class="bar-partial"/>
                    <text x="96" y="15" class="chart-label">{lang.pick("sebagian", "partly")}</text>
                    <rect x="180" y="4" width="12" height="12" class="bar-none"/>
                    <text x="196" y="15" class="chart-label">{lang.pick("belum", "not yet")}</text>
                </g>
            </svg>
            <figcaption class="hint">{title}{lang.pick(" — angka lengkap ada di tabel.", " — the table has every figure.")}</figcaption>
        </figure>
    }
}

/// An area's name as it fits before the percentage on the chart's line (the table below has
/// it whole): at most [`CHART_NAME_CHARS`] characters, cut at a word with "…".
fn short_name(name: &str) -> String {
    if name.chars().count() <= CHART_NAME_CHARS {
        return name.to_string();
    }
    let cut: String = name.chars().take(CHART_NAME_CHARS - 1).collect();
    let at_word = cut.rfind(' ').filter(|i| *i > CHART_NAME_CHARS / 2).map_or(cut.as_str(), |i| &cut[..i]);
    format!("{}…", at_word.trim_end())
}

/// Characters of a name that fit beside "100% siap" on the 360-unit chart at 13 px.
const CHART_NAME_CHARS: usize = 36;

fn coverage_table(
    q: &ReportQuery,
    rows: &[CoverageRow],
    total: &Counts,
    child_label: &str,
    drills: bool,
    path: &'static str,
    lang: Lang,
) -> impl IntoView {
    let cells = |c: &Counts| {
        view! {
            <td class="num">{thousands(c.kkmp, lang)}</td>
            <td class="num">{thousands(c.kkmp_ready, lang)}</td>
            <td class="num">{thousands(c.kkmp_partial, lang)}</td>
            <td class="num">{thousands(c.kkmp_none(), lang)}</td>
            <td class="num">{thousands(c.enrolled, lang)}</td>
            <td class="num">{thousands(c.attended, lang)}</td>
            <td class="num">{thousands(c.passed, lang)}</td>
            <td class="num">{thousands(c.certified, lang)}</td>
            <td class="num">{format!("{}%", percent(c.kkmp_ready, c.kkmp))}</td>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="coverage">
                <thead><tr>
                    <th scope="col">{child_label.to_string()}</th>
                    <th scope="col" class="num">"KKMP"</th>
                    <th scope="col" class="num">{lang.pick("Siap", "Ready")}</th>
                    <th scope="col" class="num">{lang.pick("Sebagian", "Partly")}</th>
                    <th scope="col" class="num">{lang.pick("Belum", "Not yet")}</th>
                    <th scope="col" class="num">{lang.pick("Peserta", "Enrolled")}</th>
                    <th scope="col" class="num">{lang.pick("Hadir ≥ syarat", "Attendance met")}</th>
                    <th scope="col" class="num">{lang.pick("Lulus tes akhir", "Post-tests passed")}</th>
                    <th scope="col" class="num">{lang.pick("Bersertifikat", "Certified")}</th>
                    <th scope="col" class="num">{lang.pick("% KKMP siap", "% KKMP ready")}</th>
                </tr></thead>
                <tbody>
                    {rows.iter().map(|r| view! {
                        <tr data-area=r.code.clone()>
                            <th scope="row">{if drills {
                                view! { <a href=q.href(path, &[("wilayah", Some(r.code.as_str())), ("hal", None)])>{r.name.clone()}</a> }.into_any()
                            } else {
                                view! { <span>{r.name.clone()}</span> }.into_any()
                            }}</th>
                            {cells(&r.counts)}
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr><th scope="row">{lang.pick("Jumlah", "Total")}</th>{cells(total)}</tr></tfoot>
            </table>
        </div>
    }
}

fn learning_section(
    modules: &[LearningLine],
    by_area: &[LearningLine],
    child_label: &str,
    lang: Lang,
) -> impl IntoView {
    let grade = move |v: Option<f64>| v.map(|v| decimal(v, lang)).unwrap_or_else(|| "—".into());
    let gain = move |v: Option<f64>| {
        v.map(|v| format!("{}{}", if v >= 0.0 { "+" } else { "" }, decimal(v, lang))).unwrap_or_else(|| "—".into())
    };
    let table = move |first: String, rows: &[LearningLine], testid: &'static str| {
        view! {
            <div class="table-wrap">
                <table class="data" data-testid=testid>
                    <thead><tr>
                        <th scope="col">{first}</th>
                        <th scope="col" class="num">{lang.pick("Rata-rata tes awal", "Mean pre-test")}</th>
                        <th scope="col" class="num">{lang.pick("Rata-rata tes akhir", "Mean post-test")}</th>
                        <th scope="col" class="num">{lang.pick("Kenaikan", "Gain")}</th>
                        <th scope="col" class="num">{lang.pick("Peserta tes akhir", "Post-test takers")}</th>
                    </tr></thead>
                    <tbody>
                        {rows.iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.name.clone()}</th>
                                <td class="num">{grade(r.pre)}</td>
                                <td class="num">{grade(r.post)}</td>
                                <td class="num">{gain(r.gain)}</td>
                                <td class="num">{thousands(r.takers, lang)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    };
    view! {
        <section class="stack" aria-labelledby="learning-heading">
            <h2 id="learning-heading">{lang.pick("Hasil belajar", "Learning")}</h2>
            {if modules.is_empty() {
                view! { <p class="empty">{lang.pick("Belum ada nilai tes untuk pilihan ini.", "No test grades for this selection yet.")}</p> }.into_any()
            } else {
                view! {
                    <p class="hint">{lang.pick(
                        "Nilai yang dihitung per peserta (nilai tertinggi); kenaikan = tes akhir − tes awal bagi yang mengikuti keduanya.",
                        "Each participant's counted grade (the highest); gain = post-test − pre-test for those who took both."
                    )}</p>
                    {table(lang.pick("Modul", "Module").to_string(), modules, "learning-modules")}
                    {table(child_label.to_string(), by_area, "learning-areas")}
                }.into_any()
            }}
        </section>
    }
}

fn people_section(q: &ReportQuery, people: Option<PeopleList>, lang: Lang) -> impl IntoView {
    let grade = move |v: Option<f64>| v.map(|v| decimal(v, lang)).unwrap_or_else(|| "—".into());
    view! {
        <section class="stack" aria-labelledby="people-heading">
            <h2 id="people-heading">{lang.pick("Peserta", "Participants")}</h2>
            <p class="no-print actions">
                {lang.pick("Daftar bersertifikat:", "Certified list:")}" "
                <a class="button secondary" href=q.href("/laporan/ekspor/bersertifikat.csv", &[("hal", None)])>"CSV"</a>" "
                <a class="button secondary" href=q.href("/laporan/ekspor/bersertifikat.xlsx", &[("hal", None)])>"XLSX"</a>
            </p>
            {match people {
                None => view! { <p class="empty">{lang.pick(
                    "Daftar nama tampil mulai tingkat kabupaten/kota: pilih wilayah pada tabel di atas, atau cari nama.",
                    "Names are listed from the regency level down: open an area in the table above, or search by name."
                )}</p> }.into_any(),
                Some(list) if list.rows.is_empty() => view! { <p class="empty">{lang.pick(
                    "Tidak ada peserta yang cocok dengan filter ini.",
                    "No participant matches these filters."
                )}</p> }.into_any(),
                Some(list) => {
                    let from = (list.page - 1) * list.per_page + 1;
                    let to = from + list.rows.len() as u64 - 1;
                    let last = list.total.div_ceil(list.per_page).max(1);
                    let page_href = |p: u64| q.href("/laporan", &[("hal", Some(p.to_string().as_str()))]);
                    view! {
                        <p class="muted" data-testid="people-count">{format!(
                            "{from}–{to} {} {} {}",
                            lang.pick("dari", "of"),
                            thousands(list.total as i64, lang),
                            // Someone enrolled in two diklat has two rows; the figures above count people.
                            lang.pick("pendaftaran (satu baris per peserta per diklat)", "enrolments (one row per participant per training)")
                        )}</p>
                        <div class="table-wrap">
                            <table class="data" data-testid="people">
                                <thead><tr>
                                    <th scope="col">{lang.pick("Nama", "Name")}</th>
                                    <th scope="col">{lang.pick("KKMP", "KKMP")}</th>
                                    <th scope="col">{lang.pick("Kehadiran", "Attendance")}</th>
                                    <th scope="col" class="num">{lang.pick("Tes awal / akhir", "Pre / post")}</th>
                                    <th scope="col">{lang.pick("Status", "Status")}</th>
                                    <th scope="col">{lang.pick("Sertifikat", "Certificate")}</th>
                                </tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|p| view! {
                                        <tr data-person=p.name.clone()>
                                            <td>{p.name.clone()}<br/><span class="hint">{format!("{} · {}", p.position.map(|j| lang.label(j)).unwrap_or_default(), p.diklat)}</span></td>
                                            <td>{p.kkmp.clone()}<br/><span class="hint">{format!("{}, {}", p.village, p.district)}</span></td>
                                            <td class:warn=!p.attendance_ok>{p.attendance.clone()}</td>
                                            <td class="num">{format!("{} / {}", grade(p.pre), grade(p.post))}</td>
                                            <td>{if p.certificate.as_ref().is_some_and(|c| c.2 == CertificateStanding::Active) {
                                                lang.pick("Bersertifikat", "Certified")
                                            } else if p.eligible {
                                                lang.pick("Memenuhi syarat", "Meets the rule")
                                            } else {
                                                lang.pick("Belum memenuhi syarat", "Not yet")
                                            }}</td>
                                            <td>{p.certificate.map(|(number, code, state)| view! {
                                                <a href=format!("/verifikasi/{code}")>{number}</a>
                                                <br/><span class="hint" class:warn=state != CertificateStanding::Active>{lang.label(state)}</span>
                                            })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(last > 1).then(|| view! {
                            <nav class="pager" aria-label=lang.pick("Halaman", "Pages")>
                                {(list.page > 1).then(|| view! { <a href=page_href(list.page - 1)>{lang.pick("‹ Sebelumnya", "‹ Previous")}</a> })}
                                <span>{format!(" {} {} {} {last} ", lang.pick("Halaman", "Page"), list.page, lang.pick("dari", "of"))}</span>
                                {(list.page < last).then(|| view! { <a href=page_href(list.page + 1)>{lang.pick("Berikutnya ›", "Next ›")}</a> })}
                            </nav>
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}

/// `/capaian`: how many KKMP per area have their pengurus and pengawas certified. Public,
/// aggregate only.
#[component]
pub fn CapaianPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let query = use_report_query();
    let data = Resource::new(move || query().wilayah, capaian_view);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let q = ReportQuery { wilayah: query().wilayah, ..Default::default() };
                or_error(data.await.map(|c| {
                    let title = format!("{} — {}", lang.pick("Capaian sertifikasi KKMP", "KKMP certification progress"), c.name);
                    view! {
                        <Title text=title.clone()/>
                        <nav class="breadcrumb" aria-label=lang.pick("Wilayah", "Region")>
                            {c.trail.iter().map(|(code, name)| view! {
                                <a href=q.href("/capaian", &[("wilayah", Some(code.as_str()))])>{name.clone()}</a>" › "
                            }).collect_view()}
                            <span>{c.name.clone()}</span>
                        </nav>
                        <h1>{title}</h1>
                        <p class="lead">{lang.pick(
                            "Berapa Koperasi Kelurahan Merah Putih yang pengurus dan pengawasnya telah bersertifikat diklat. Angka agregat; tidak memuat nama.",
                            "How many Merah Putih cooperatives have a certified board member and supervisor. Aggregates only; no names."
                        )}</p>
                        <p class="muted">{format!("{} {}", lang.pick("Data per", "As of"), c.generated)}</p>
                        {headline(&c.total, lang)}
                        {readiness_chart(&c.rows, &c.child_label, lang)}
                        {coverage_table(&q, &c.rows, &c.total, &c.child_label, c.drills, "/capaian", lang)}
                    }
                }))
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_area_name_is_cut_at_a_word_to_fit_the_chart_and_a_short_one_kept() {
        assert_eq!(super::short_name("Kedungkandang"), "Kedungkandang");
        let long = "Kelurahan Bandungrejosari Tanjungrejo Mulyorejo Ciptomulyo Wetan";
        let short = super::short_name(long);
        assert!(short.chars().count() <= super::CHART_NAME_CHARS, "{short}");
        assert_eq!(short, "Kelurahan Bandungrejosari…");
    }
}
