//! Panitia pages for a diklat: the list, one diklat (its details, sessions, enrolment and
//! attendance per KKMP), and who is enrolled.

use crate::query::use_query_map;
use crate::{
    api::take_flash,
    app::{require_sign_in, use_lang},
    components::{
        raw_text::rcdata,
        status::{or_error, FlashNotice},
    },
    i18n::{encode_component, position_label, Lang},
    schedule_api::{diklat_detail, enrolled_list, list_diklat, DiklatView, SessionView},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

pub fn status_label(status: &str, lang: Lang) -> &'static str {
    match status {
        "draft" => lang.pick("Draf", "Draft"),
        "open" => lang.pick("Pendaftaran dibuka", "Open"),
        "running" => lang.pick("Berlangsung", "Running"),
        "finished" => lang.pick("Selesai", "Finished"),
        _ => "?",
    }
}

const POSITIONS: &[&str] = &["ketua", "wakil_ketua", "sekretaris", "bendahara", "ketua_pengawas", "anggota_pengawas"];

/// The diklat form, empty for a new one or filled for an edit.
fn diklat_form(d: Option<&DiklatView>, lang: Lang) -> impl IntoView {
    let v = |f: fn(&DiklatView) -> String, default: &str| d.map(f).unwrap_or_else(|| default.to_string());
    let present: Vec<String> = d.map(|d| d.present_statuses.clone()).unwrap_or_else(|| vec!["H".into(), "T".into()]);
    let status = v(|d| d.status.clone(), "draft");
    view! {
        <form method="post" action="/diklat/simpan" class="stack" data-testid="diklat-form">
            {d.map(|d| view! { <input type="hidden" name="id" value=d.id/> })}
            <label>{lang.pick("Kode", "Code")}
                <input name="kode" required maxlength="40" value=v(|d| d.code.clone(), "") placeholder="MLG-2026-03"/>
            </label>
            <label>{lang.pick("Nama diklat", "Name")}
                <input name="nama" required maxlength="200" value=v(|d| d.name.clone(), "")/>
            </label>
            <label>{lang.pick("Tempat", "Venue")}
                <input name="tempat" required maxlength="200" value=v(|d| d.venue.clone(), "")/>
            </label>
            <div class="row">
                <label>{lang.pick("Tanggal mulai", "Starts")}
                    <input type="date" name="mulai" required value=v(|d| d.starts_on.clone(), "")/>
                </label>
                <label>{lang.pick("Tanggal selesai", "Ends")}
                    <input type="date" name="selesai" required value=v(|d| d.ends_on.clone(), "")/>
                </label>
            </div>
            <div class="row">
                <label>{lang.pick("Total JP", "Total hours (JP)")}
                    <input type="number" name="jp" min="0" max="500" required value=v(|d| d.total_jp.to_string(), "30")/>
                </label>
                <label>{lang.pick("Minimal kehadiran (%)", "Minimum attendance (%)")}
                    <input type="number" name="min_hadir" min=d.map_or(0, |d| d.attendance_floor) max="100" required value=v(|d| d.min_attendance_pct.to_string(), "80")/>
                    {d.map(|d| view! { <span class="hint">{format!("{} {}%", lang.pick("paling rendah", "at least"), d.attendance_floor)}</span> })}
                </label>
                <label>{lang.pick("Status", "Status")}
                    <select name="status">
                        {["draft", "open", "running", "finished"].into_iter().map(|s| view! {
                            <option value=s selected=status == s>{status_label(s, lang)}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <fieldset>
                <legend>{lang.pick("Dihitung hadir", "Counts as present")}</legend>
                {[("H", "hadir_h", "Hadir"), ("T", "hadir_t", "Terlambat"), ("I", "hadir_i", "Izin"), ("S", "hadir_s", "Sakit"), ("A", "hadir_a", "Alpa")]
                    .into_iter()
                    .map(|(code, name, label)| view! {
                        <label class="inline"><input type="checkbox" name=name checked=present.iter().any(|p| p == code)/>" "{code}" — "{label}</label>
                    })
                    .collect_view()}
            </fieldset>
            <label>{lang.pick("Penutupan tes akhir (kosong = 14 hari sesudah hari terakhir)", "Post-tests close on (empty = 14 days after the last day)")}
                <input type="date" name="tutup_tes" value=v(|d| d.tests_close_on.clone(), "")/>
                {d.map(|d| view! { <span class="hint">{format!("{} {}", lang.pick("Berlaku sekarang:", "In effect:"), d.tests_close_label)}</span> })}
            </label>
            {d.map(|d| view! {
                <fieldset data-testid="rule-modules">
                    <legend>{lang.pick("Modul yang tes akhirnya wajib lulus (kosong = modul dari sesi-sesi diklat ini)", "Modules whose post-test must be passed (none = the modules of this diklat's sessions)")}</legend>
                    {d.rule_modules.iter().map(|(id, title, on)| view! {
                        <label class="inline"><input type="checkbox" name=format!("modul_{id}") checked=*on/>" "{title.clone()}</label>
                    }).collect_view()}
                </fieldset>
            })}
            <label>{lang.pick("Keterangan", "Description")}
                <textarea name="deskripsi" rows="3">{rcdata(v(|d| d.description.clone(), ""))}</textarea>
            </label>
            <button type="submit" class="button">{if d.is_some() { lang.pick("Simpan diklat", "Save") } else { lang.pick("Buat diklat", "Create") }}</button>
        </form>
    }
}

/// `/diklat`: the diklat the panitia manage, and a form for a new one.
#[component]
pub fn DiklatListPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    if !require_sign_in("/diklat") {
        return ().into_any();
    }
    let list = Resource::new(|| (), |_| list_diklat());
    let flash = Resource::new(|| (), |_| take_flash());
    let title = lang.pick("Diklat", "Training programmes");
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <p class="lead">{lang.pick("Angkatan diklat, sesi, peserta dan presensinya.", "Cohorts, their sessions, participants and attendance.")}</p>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(list.await.map(|rows| view! {
                    <FlashNotice flash=flash/>
                    {if rows.is_empty() {
                        view! { <p class="empty">{lang.pick("Belum ada diklat. Buat yang pertama di bawah.", "No training yet. Create the first one below.")}</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="data">
                                    <thead><tr>
                                        <th>{lang.pick("Diklat", "Training")}</th>
                                        <th>{lang.pick("Tanggal", "Dates")}</th>
                                        <th>{lang.pick("Status", "Status")}</th>
                                        <th class="num">{lang.pick("Sesi", "Sessions")}</th>
                                        <th class="num">{lang.pick("Peserta", "Participants")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|d| view! {
                                            <tr>
                                                <td><a href=format!("/diklat/{}", d.id)>{d.name}</a><br/><span class="hint">{d.code}" · "{d.venue}</span></td>
                                                <td>{d.dates}</td>
                                                <td><span class="badge">{status_label(&d.status, lang)}</span></td>
                                                <td class="num">{d.sessions}</td>
                                                <td class="num">{d.enrolled}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    <details class="card">
                        <summary>{lang.pick("Buat diklat baru", "New training")}</summary>
                        {diklat_form(None, lang)}
                    </details>
                }))
            })}
        </Suspense>
    }
    .into_any()
}

fn session_rows(sessions: &[SessionView], diklat_id: i32, modules: &[(String, String)], lang: Lang) -> impl IntoView {
    if sessions.is_empty() {
        return view! { <p class="empty">{lang.pick("Belum ada sesi.", "No sessions yet.")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data" data-testid="sessions">
                <thead><tr>
                    <th>{lang.pick("Waktu (WIB)", "Time (WIB)")}</th>
                    <th>{lang.pick("Sesi", "Session")}</th>
                    <th>{lang.pick("Ruang", "Room")}</th>
                    <th class="num">"JP"</th>
                    <th class="no-print"></th>
                </tr></thead>
                <tbody>
                    {sessions.iter().map(|s| {
                        let edit = session_form(Some(s), diklat_id, modules, lang);
                        view! {
                            <tr class:today=s.is_today>
                                <td>{s.date_label.clone()}<br/>{format!("{}–{}", s.starts, s.ends)}</td>
                                <td>
                                    <a href=format!("/sesi/{}", s.id)>{s.title.clone()}</a>
                                    {s.module.clone().map(|(slug, title)| view! { <br/><span class="hint">"Modul: "<a href=format!("/modul/{slug}")>{title}</a></span> })}
                                    {s.speaker.clone().map(|(n, i)| view! { <br/><span class="hint">{n}" — "{i}</span> })}
                                </td>
                                <td>{s.room.clone()}</td>
                                <td class="num">{s.jp}</td>
                                <td class="no-print">
                                    <details>
                                        <summary>{lang.pick("Ubah", "Edit")}</summary>
                                        {edit}
                                        <form method="post" action="/sesi/hapus" class="stack danger-zone">
                                            <input type="hidden" name="id" value=s.id/>
                                            <input type="hidden" name="diklat" value=diklat_id/>
                                            <label class="inline"><input type="checkbox" name="yakin" required/>" "{lang.pick("Ya, hapus sesi ini", "Yes, delete this session")}</label>
                                            <button type="submit" class="button danger">{lang.pick("Hapus sesi", "Delete session")}</button>
                                        </form>
                                    </details>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

fn session_form(s: Option<&SessionView>, diklat_id: i32, modules: &[(String, String)], lang: Lang) -> impl IntoView {
    let current = s.and_then(|s| s.module.clone()).map(|m| m.0).unwrap_or_default();
    let (speaker, institution) = s.and_then(|s| s.speaker.clone()).unwrap_or_default();
    view! {
        <form method="post" action="/sesi/simpan" class="stack" data-testid="session-form">
            <input type="hidden" name="diklat" value=diklat_id/>
            {s.map(|s| view! { <input type="hidden" name="id" value=s.id/> })}
            <label>{lang.pick("Judul sesi", "Title")}
                <input name="judul" required maxlength="200" value=s.map(|s| s.title.clone()).unwrap_or_default()/>
            </label>
            <div class="row">
                <label>{lang.pick("Tanggal", "Date")}
                    <input type="date" name="tanggal" required value=s.map(|s| s.date.clone()).unwrap_or_default()/>
                </label>
                <label>{lang.pick("Jam mulai", "Starts")}
                    <input type="time" name="mulai" required value=s.map(|s| s.starts.clone()).unwrap_or_default()/>
                </label>
                <label>{lang.pick("Jam selesai", "Ends")}
                    <input type="time" name="selesai" required value=s.map(|s| s.ends.clone()).unwrap_or_default()/>
                </label>
            </div>
            <div class="row">
                <label>{lang.pick("Ruang", "Room")}
                    <input name="ruang" required maxlength="100" value=s.map(|s| s.room.clone()).unwrap_or_default()/>
                </label>
                <label>"JP"
                    <input type="number" name="jp" min="0" max="20" required value=s.map(|s| s.jp.to_string()).unwrap_or_else(|| "2".into())/>
                </label>
            </div>
            <label>{lang.pick("Modul", "Module")}
                <select name="modul">
                    <option value="">{lang.pick("(tanpa modul)", "(no module)")}</option>
                    {modules.iter().map(|(slug, title)| view! {
                        <option value=slug.clone() selected=*slug == current>{title.clone()}</option>
                    }).collect_view()}
                </select>
            </label>
            <div class="row">
                <label>{lang.pick("Narasumber", "Speaker")}
                    <input name="narasumber" maxlength="200" value=speaker/>
                </label>
                <label>{lang.pick("Instansi", "Institution")}
                    <input name="instansi" maxlength="200" value=institution/>
                </label>
            </div>
            <button type="submit" class="button">{if s.is_some() { lang.pick("Simpan sesi", "Save session") } else { lang.pick("Tambah sesi", "Add session") }}</button>
        </form>
    }
}

/// `/diklat/{id}`: one diklat.
#[component]
pub fn DiklatPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    if !require_sign_in(&format!("/diklat/{}", id())) {
        return ().into_any();
    }
    let detail = Resource::new(id, diklat_detail);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(detail.await.map(|d| {
                    let coverage = format!(
                        "{} {} · {} {} {} {}",
                        d.enrolled, lang.pick("peserta terdaftar", "enrolled"),
                        d.kkmp_covered, lang.pick("dari", "of"), d.kkmp_total, lang.pick("KKMP terwakili", "KKMP covered"),
                    );
                    let sessions = session_rows(&d.sessions, d.id, &d.modules, lang);
                    let new_session = session_form(None, d.id, &d.modules, lang);
                    let edit = diklat_form(Some(&d), lang);
                    view! {
                        <Title text=d.name.clone()/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a></nav>
                        <h1>{d.name.clone()}</h1>
                        <p class="lead">{d.dates.clone()}" · "{d.venue.clone()}" · "{d.total_jp}" JP · "<span class="badge">{status_label(&d.status, lang)}</span></p>
                        <FlashNotice flash=flash/>
                        {(!d.description.is_empty()).then(|| view! { <p>{d.description.clone()}</p> })}
                        <p class="no-print">
                            <a class="button secondary" href=format!("/diklat/{}/peserta", d.id)>{lang.pick("Daftar peserta", "Participants")}</a>" "
                            <a class="button secondary" href=format!("/diklat/{}/kuis", d.id)>{lang.pick("Hasil tes", "Test results")}</a>" "
                            <a class="button secondary" href=format!("/diklat/{}/kelulusan", d.id)>{lang.pick("Kelulusan", "Completion")}</a>" "
                            <a class="button secondary" href=format!("/unduh/diklat/kehadiran-diklat-{}.csv", d.id)>"CSV"</a>" "
                            <a class="button secondary" href=format!("/unduh/diklat/kehadiran-diklat-{}.xlsx", d.id)>"XLSX"</a>" "
                            <a class="button secondary" href=format!("/kalender/diklat/{}.ics", d.id)>{lang.pick("Kalender (.ics)", "Calendar (.ics)")}</a>
                        </p>
                        <details class="card no-print">
                            <summary>{lang.pick("Ubah data diklat", "Edit training")}</summary>
                            {edit}
                        </details>

                        <h2 id="sesi">{lang.pick("Sesi", "Sessions")}</h2>
                        {sessions}
                        <details class="card no-print" open=d.sessions.is_empty()>
                            <summary>{lang.pick("Tambah sesi", "Add a session")}</summary>
                            {new_session}
                        </details>

                        <h2 id="peserta">{lang.pick("Peserta", "Participants")}</h2>
                        <p data-testid="coverage">{coverage}</p>
                        <details class="card no-print">
                            <summary>{lang.pick("Daftarkan peserta sekaligus", "Enrol in bulk")}</summary>
                            <form method="post" action="/diklat/daftarkan" class="stack">
                                <input type="hidden" name="diklat" value=d.id/>
                                <p class="hint">{lang.pick("Semua orang di wilayah Anda yang cocok dengan pilihan ini didaftarkan; yang sudah terdaftar dilewati.", "Everyone in your region matching these choices is enrolled; those already enrolled are skipped.")}</p>
                                <label>{lang.pick("Kecamatan", "District")}
                                    <select name="kecamatan">
                                        <option value="">{lang.pick("(semua)", "(all)")}</option>
                                        {d.districts.iter().map(|(id, name)| view! { <option value=*id>{name.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                {(!d.villages.is_empty()).then(|| view! {
                                    <label>{lang.pick("Kelurahan", "Village")}
                                        <select name="kelurahan">
                                            <option value="">{lang.pick("(semua)", "(all)")}</option>
                                            {d.villages.iter().map(|(id, name)| view! { <option value=*id>{name.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                })}
                                <label>{lang.pick("Jabatan", "Position")}
                                    <select name="jabatan">
                                        <option value="">{lang.pick("(semua)", "(all)")}</option>
                                        {POSITIONS.iter().map(|p| view! { <option value=*p>{position_label(p, lang)}</option> }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit" class="button">{lang.pick("Daftarkan", "Enrol")}</button>
                            </form>
                        </details>
                        {(!d.per_kkmp.is_empty()).then(|| view! {
                            <h3>{lang.pick("Kehadiran per KKMP", "Attendance per KKMP")}</h3>
                            <div class="table-wrap">
                                <table class="data" data-testid="per-kkmp">
                                    <thead><tr>
                                        <th>{lang.pick("Kelurahan", "Village")}</th><th>"KKMP"</th>
                                        <th class="num">{lang.pick("Peserta", "People")}</th>
                                        <th class="num">{lang.pick("Rata-rata hadir", "Avg. attendance")}</th>
                                    </tr></thead>
                                    <tbody>
                                        {d.per_kkmp.iter().map(|(v, k, n, pct)| view! {
                                            <tr><td>{v.clone()}</td><td>{k.clone()}</td><td class="num">{*n}</td><td class="num">{format!("{pct}%")}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        })}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/diklat/{id}/peserta`: who is enrolled, with attendance rates; enrol one, withdraw one.
#[component]
pub fn EnrolledPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    if !require_sign_in(&format!("/diklat/{}/peserta", id())) {
        return ().into_any();
    }
    let args = move || {
        let q = query.read();
        (id(), q.get("q").unwrap_or_default(), q.get("hal").and_then(|h| h.parse::<usize>().ok()).unwrap_or(1))
    };
    let list = Resource::new(args, |(id, q, page)| enrolled_list(id, q, page));
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(list.await.map(|v| {
                    let title = lang.pick("Peserta diklat", "Participants");
                    let page_link = {
                        let q = v.q.clone();
                        let id = v.diklat_id;
                        move |p: usize| format!("/diklat/{id}/peserta?hal={p}&q={}", encode_component(&q))
                    };
                    view! {
                        <Title text=title/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a>" › "<a href=format!("/diklat/{}", v.diklat_id)>{v.diklat_name.clone()}</a></nav>
                        <h1>{title}</h1>
                        <FlashNotice flash=flash/>
                        <form method="post" action="/diklat/daftarkan-satu" class="row no-print">
                            <input type="hidden" name="diklat" value=v.diklat_id/>
                            <label>{lang.pick("NIK atau nomor HP", "NIK or phone")}<input name="orang" required inputmode="numeric"/></label>
                            <button type="submit" class="button">{lang.pick("Daftarkan", "Enrol")}</button>
                        </form>
                        <form method="get" class="row no-print">
                            <label>{lang.pick("Cari nama atau kelurahan", "Search name or village")}<input name="q" value=v.q.clone()/></label>
                            <button type="submit" class="button secondary">{lang.pick("Cari", "Search")}</button>
                        </form>
                        <p>{format!("{} {} · {} {}%", v.total, lang.pick("orang", "people"), lang.pick("minimal hadir", "minimum attendance"), v.min_attendance_pct)}</p>
                        {if v.rows.is_empty() {
                            view! { <p class="empty">{lang.pick("Tidak ada peserta yang cocok.", "No matching participants.")}</p> }.into_any()
                        } else {
                            let min = v.min_attendance_pct as u32;
                            view! {
                                <div class="table-wrap">
                                    <table class="data" data-testid="enrolled">
                                        <thead><tr>
                                            <th>{lang.pick("Nama", "Name")}</th>
                                            <th>{lang.pick("KKMP / kelurahan", "KKMP / village")}</th>
                                            <th class="num">{lang.pick("Hadir", "Attended")}</th>
                                            <th class="no-print"></th>
                                        </tr></thead>
                                        <tbody>
                                            {v.rows.into_iter().map(|r| {
                                                let below = r.held > 0 && r.percent < min;
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/peserta/{}", r.person_id)>{r.name.clone()}</a><br/><span class="hint">{r.position.as_deref().map(|p| position_label(p, lang)).unwrap_or_default()}</span></td>
                                                        <td>{r.kkmp.clone()}<br/><span class="hint">{r.village.clone()}", "{r.district.clone()}</span></td>
                                                        <td class="num" class:warn=below>{format!("{}/{} ({}%)", r.present, r.held, r.percent)}</td>
                                                        <td class="no-print">
                                                            <details>
                                                                <summary>{lang.pick("Keluarkan", "Withdraw")}</summary>
                                                                <form method="post" action="/diklat/keluarkan" class="stack">
                                                                    <input type="hidden" name="diklat" value=v.diklat_id/>
                                                                    <input type="hidden" name="orang" value=r.person_id/>
                                                                    <label class="inline"><input type="checkbox" name="yakin" required/>" "{lang.pick("Ya, keluarkan dari diklat ini", "Yes, withdraw")}</label>
                                                                    <button type="submit" class="button danger">{lang.pick("Keluarkan", "Withdraw")}</button>
                                                                </form>
                                                            </details>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <nav class="pager" aria-label="halaman">
                                    {(v.page > 1).then(|| view! { <a href=page_link(v.page - 1)>{lang.pick("‹ Sebelumnya", "‹ Previous")}</a> })}
                                    <span>{format!("{} {} / {}", lang.pick("Halaman", "Page"), v.page, v.pages)}</span>
                                    {(v.page < v.pages).then(|| view! { <a href=page_link(v.page + 1)>{lang.pick("Berikutnya ›", "Next ›")}</a> })}
                                </nav>
                            }.into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
