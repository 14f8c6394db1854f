//! Panitia pages for a diklat: the list, one diklat (its details, sessions, enrolment and
//! attendance per KKMP), and who is enrolled.

use crate::query::use_query_map;
use crate::{
    api::{take_flash, Flash},
    app::use_lang,
    components::{
        raw_text::rcdata,
        status::{or_error, FlashNotice, Refusal},
    },
    i18n::{encode_component, Lang},
    schedule_api::{diklat_detail, enrolled_list, list_diklat, DiklatView, SessionView},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The labels the diklat form's fields carry, as the service names them in its errors.
const DIKLAT_FIELDS: &[&str] = &[
    "Kode",
    "Nama diklat",
    "Tempat",
    "Tanggal mulai",
    "Tanggal selesai",
    "Total JP",
    "Minimal kehadiran",
    "Status",
    "Status hadir",
    "Penutupan tes akhir",
    "Modul",
];

/// The diklat form, empty for a new one or filled for an edit — or, refused, as it was typed,
/// with the error beside the field it is about.
fn diklat_form(d: Option<&DiklatView>, refusal: Option<Refusal<'_>>, lang: Lang) -> AnyView {
    // `name`: the field's form name, whose typed value wins over the stored one.
    let v = |name: &str, f: fn(&DiklatView) -> String, default: &str| {
        Refusal::value_or(refusal, name, d.map(f).unwrap_or_else(|| default.to_string()))
    };
    let beside = |label: &str| Refusal::beside(refusal, label);
    let present: Vec<types::Attendance> = match refusal {
        Some(r) => types::Attendance::ALL
            .into_iter()
            .filter(|a| r.echo.ticked(&format!("hadir_{}", a.code().to_lowercase())))
            .collect(),
        None => d
            .map(|d| d.present_statuses.clone())
            .unwrap_or_else(|| vec![types::Attendance::Hadir, types::Attendance::Terlambat]),
    };
    let status = v("status", |d| d.status.code().to_string(), types::DiklatStatus::Draft.code());
    view! {
        <form method="post" action="/diklat/simpan" class="stack" data-testid="diklat-form" id="form-diklat">
            {Refusal::above(refusal, DIKLAT_FIELDS)}
            {d.map(|d| view! { <input type="hidden" name="id" value=d.id/> })}
            <label>{lang.pick("Kode", "Code")}
                <input name="kode" required maxlength="40" value=v("kode", |d| d.code.clone(), "") placeholder="MLG-2026-03"/>
                {beside("Kode")}
            </label>
            <label>{lang.pick("Nama diklat", "Name")}
                <input name="nama" required maxlength="200" value=v("nama", |d| d.name.clone(), "")/>
                {beside("Nama diklat")}
            </label>
            <label>{lang.pick("Tempat", "Venue")}
                <input name="tempat" required maxlength="200" value=v("tempat", |d| d.venue.clone(), "")/>
                {beside("Tempat")}
            </label>
            <div class="row">
                <label>{lang.pick("Tanggal mulai", "Starts")}
                    <input type="date" name="mulai" required value=v("mulai", |d| d.starts_on.clone(), "")/>
                    {beside("Tanggal mulai")}
                </label>
                <label>{lang.pick("Tanggal selesai", "Ends")}
                    <input type="date" name="selesai" required value=v("selesai", |d| d.ends_on.clone(), "")/>
                    {beside("Tanggal selesai")}
                </label>
            </div>
            <div class="row">
                <label>{lang.pick("Total JP", "Total hours (JP)")}
                    <input type="number" name="jp" min="0" max="500" required value=v("jp", |d| d.total_jp.to_string(), "30")/>
                    {beside("Total JP")}
                </label>
                <label>{lang.pick("Minimal kehadiran (%)", "Minimum attendance (%)")}
                    <input type="number" name="min_hadir" min=d.map_or(0, |d| d.attendance_floor) max="100" required value=v("min_hadir", |d| d.min_attendance_pct.to_string(), "80")/>
                    {beside("Minimal kehadiran")}
                    {d.map(|d| view! { <span class="hint">{format!("{} {}%", lang.pick("paling rendah", "at least"), d.attendance_floor)}</span> })}
                </label>
                <label>{lang.pick("Status", "Status")}
                    <select name="status">
                        {types::DiklatStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.code() selected=status == s.code()>{lang.label(s)}</option>
                        }).collect_view()}
                    </select>
                    {beside("Status")}
                </label>
            </div>
            <fieldset>
                <legend>{lang.pick("Dihitung hadir", "Counts as present")}</legend>
                {beside("Status hadir")}
                {types::Attendance::ALL
                    .into_iter()
                    .map(|s| {
                        let name = format!("hadir_{}", s.code().to_lowercase());
                        view! {
                            <label class="inline"><input type="checkbox" name=name checked=present.contains(&s)/>" "{s.code()}" — "{lang.label(s)}</label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label>{lang.pick("Penutupan tes akhir (kosong = 14 hari sesudah hari terakhir)", "Post-tests close on (empty = 14 days after the last day)")}
                <input type="date" name="tutup_tes" value=v("tutup_tes", |d| d.tests_close_on.clone(), "")/>
                {beside("Penutupan tes akhir")}
                {d.map(|d| view! { <span class="hint">{format!("{} {}", lang.pick("Berlaku sekarang:", "In effect:"), d.tests_close_label)}</span> })}
            </label>
            {d.map(|d| view! {
                <fieldset data-testid="rule-modules">
                    <legend>{lang.pick("Modul yang tes akhirnya wajib lulus (kosong = modul dari sesi-sesi diklat ini)", "Modules whose post-test must be passed (none = the modules of this diklat's sessions)")}</legend>
                    {beside("Modul")}
                    {d.rule_modules.iter().map(|(id, title, on)| {
                        let name = format!("modul_{id}");
                        let on = refusal.map_or(*on, |r| r.echo.ticked(&name));
                        view! { <label class="inline"><input type="checkbox" name=name checked=on/>" "{title.clone()}</label> }
                    }).collect_view()}
                </fieldset>
            })}
            <label>{lang.pick("Keterangan", "Description")}
                <textarea name="deskripsi" rows="3">{rcdata(v("deskripsi", |d| d.description.clone(), ""))}</textarea>
            </label>
            <button type="submit" class="button">{if d.is_some() { lang.pick("Simpan diklat", "Save") } else { lang.pick("Buat diklat", "Create") }}</button>
        </form>
    }
    .into_any()
}

/// `/diklat`: the diklat the panitia manage, and a form for a new one.
#[component]
pub fn DiklatListPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
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
                let refused = Refusal::of(flash.as_ref(), "diklat");
                let open_new = refused.is_some();
                let new_form = diklat_form(None, refused, lang);
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
                                                <td><span class="badge">{lang.label(d.status)}</span></td>
                                                <td class="num">{d.sessions}</td>
                                                <td class="num">{d.enrolled}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    <details class="card" open=open_new>
                        <summary>{lang.pick("Buat diklat baru", "New training")}</summary>
                        {new_form}
                    </details>
                }))
            })}
        </Suspense>
    }
    .into_any()
}

fn session_rows(
    sessions: &[SessionView],
    diklat_id: i32,
    modules: &[(String, String)],
    flash: Option<&Flash>,
    lang: Lang,
) -> impl IntoView {
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
                        let refusal = Refusal::of(flash, &format!("sesi-{}", s.id));
                        let reopen = refusal.is_some();
                        let edit = session_form(Some(s), diklat_id, modules, refusal, lang);
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
                                    <details open=reopen>
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

/// The labels the session form's fields carry, as the service names them in its errors.
const SESSION_FIELDS: &[&str] =
    &["Judul sesi", "Tanggal", "Jam mulai", "Jam selesai", "Ruang", "JP", "Modul", "Narasumber"];

/// A session's form, empty for a new one or filled for an edit — or, refused, as it was typed,
/// with the error beside the field it is about.
fn session_form(
    s: Option<&SessionView>,
    diklat_id: i32,
    modules: &[(String, String)],
    refusal: Option<Refusal<'_>>,
    lang: Lang,
) -> AnyView {
    let value = |name: &str, stored: Option<String>| Refusal::value_or(refusal, name, stored.unwrap_or_default());
    let beside = |label: &str| Refusal::beside(refusal, label);
    let current = value("modul", s.and_then(|s| s.module.clone()).map(|m| m.0));
    let (speaker, institution) = s.and_then(|s| s.speaker.clone()).unwrap_or_default();
    let anchor = format!("form-{}", s.map_or("sesi-baru".to_string(), |s| format!("sesi-{}", s.id)));
    view! {
        <form method="post" action="/sesi/simpan" class="stack" data-testid="session-form" id=anchor>
            {Refusal::above(refusal, SESSION_FIELDS)}
            <input type="hidden" name="diklat" value=diklat_id/>
            {s.map(|s| view! { <input type="hidden" name="id" value=s.id/> })}
            <label>{lang.pick("Judul sesi", "Title")}
                <input name="judul" required maxlength="200" value=value("judul", s.map(|s| s.title.clone()))/>
                {beside("Judul sesi")}
            </label>
            <div class="row">
                <label>{lang.pick("Tanggal", "Date")}
                    <input type="date" name="tanggal" required value=value("tanggal", s.map(|s| s.date.clone()))/>
                    {beside("Tanggal")}
                </label>
                <label>{lang.pick("Jam mulai", "Starts")}
                    <input type="time" name="mulai" required value=value("mulai", s.map(|s| s.starts.clone()))/>
                    {beside("Jam mulai")}
                </label>
                <label>{lang.pick("Jam selesai", "Ends")}
                    <input type="time" name="selesai" required value=value("selesai", s.map(|s| s.ends.clone()))/>
                    {beside("Jam selesai")}
                </label>
            </div>
            <div class="row">
                <label>{lang.pick("Ruang", "Room")}
                    <input name="ruang" required maxlength="100" value=value("ruang", s.map(|s| s.room.clone()))/>
                    {beside("Ruang")}
                </label>
                <label>"JP"
                    <input type="number" name="jp" min="0" max="20" required value=value("jp", Some(s.map_or_else(|| "2".to_string(), |s| s.jp.to_string())))/>
                    {beside("JP")}
                </label>
            </div>
            <label>{lang.pick("Modul", "Module")}
                <select name="modul">
                    <option value="">{lang.pick("(tanpa modul)", "(no module)")}</option>
                    {modules.iter().map(|(slug, title)| view! {
                        <option value=slug.clone() selected=*slug == current>{title.clone()}</option>
                    }).collect_view()}
                </select>
                {beside("Modul")}
            </label>
            <div class="row">
                <label>{lang.pick("Narasumber", "Speaker")}
                    <input name="narasumber" maxlength="200" value=value("narasumber", Some(speaker))/>
                    {beside("Narasumber")}
                </label>
                <label>{lang.pick("Instansi", "Institution")}
                    <input name="instansi" maxlength="200" value=value("instansi", Some(institution))/>
                </label>
            </div>
            <button type="submit" class="button">{if s.is_some() { lang.pick("Simpan sesi", "Save session") } else { lang.pick("Tambah sesi", "Add session") }}</button>
        </form>
    }
    .into_any()
}

/// `/diklat/{id}`: one diklat.
#[component]
pub fn DiklatPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
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
                    let sessions = session_rows(&d.sessions, d.id, &d.modules, flash.as_ref(), lang);
                    let new_refused = Refusal::of(flash.as_ref(), "sesi-baru");
                    let open_new = d.sessions.is_empty() || new_refused.is_some();
                    let new_session = session_form(None, d.id, &d.modules, new_refused, lang);
                    let edit_refused = Refusal::of(flash.as_ref(), "diklat");
                    // The bulk enrolment's result, shown at its form (the page opens there), with the
                    // choices as they were made.
                    let enrolled = Refusal::of(flash.as_ref(), "daftarkan");
                    let open_enrol = enrolled.is_some();
                    let enrol_notice = Refusal::above(enrolled, &[]);
                    let chosen = |name: &str| enrolled.and_then(|r| r.echo.value(name)).unwrap_or_default();
                    let (kecamatan, kelurahan, jabatan) = (chosen("kecamatan"), chosen("kelurahan"), chosen("jabatan"));
                    let open_edit = edit_refused.is_some();
                    let edit = diklat_form(Some(&d), edit_refused, lang);
                    view! {
                        <Title text=d.name.clone()/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a></nav>
                        <h1>{d.name.clone()}</h1>
                        <p class="lead">{d.dates.clone()}" · "{d.venue.clone()}" · "{d.total_jp}" JP · "<span class="badge">{lang.label(d.status)}</span></p>
                        <FlashNotice flash=flash/>
                        {(!d.description.is_empty()).then(|| view! { <p>{d.description.clone()}</p> })}
                        <p class="no-print">
                            <a class="button secondary" href=format!("/diklat/{}/peserta", d.id)>{lang.pick("Daftar peserta", "Participants")}</a>" "
                            <a class="button secondary" href=format!("/diklat/{}/kuis", d.id)>{lang.pick("Hasil tes", "Test results")}</a>" "
                            <a class="button secondary" href=format!("/diklat/{}/kelulusan", d.id)>{lang.pick("Kelulusan", "Completion")}</a>" "
                            <a class="button secondary" href=format!("/diklat/{}/evaluasi", d.id)>{lang.pick("Evaluasi", "Evaluation")}</a>" "
                            <a class="button secondary" href=format!("/unduh/diklat/kehadiran-diklat-{}.csv", d.id)>"CSV"</a>" "
                            <a class="button secondary" href=format!("/unduh/diklat/kehadiran-diklat-{}.xlsx", d.id)>"XLSX"</a>" "
                            <a class="button secondary" href=format!("/kalender/diklat/{}.ics", d.id)>{lang.pick("Kalender (.ics)", "Calendar (.ics)")}</a>
                        </p>
                        <details class="card no-print" open=open_edit>
                            <summary>{lang.pick("Ubah data diklat", "Edit training")}</summary>
                            {edit}
                        </details>

                        <h2 id="sesi">{lang.pick("Sesi", "Sessions")}</h2>
                        {sessions}
                        <details class="card no-print" open=open_new>
                            <summary>{lang.pick("Tambah sesi", "Add a session")}</summary>
                            {new_session}
                        </details>

                        <h2 id="peserta">{lang.pick("Peserta", "Participants")}</h2>
                        <p data-testid="coverage">{coverage}</p>
                        <details class="card no-print" open=open_enrol>
                            <summary>{lang.pick("Daftarkan peserta sekaligus", "Enrol in bulk")}</summary>
                            <form method="post" action="/diklat/daftarkan" class="stack" id="form-daftarkan" data-testid="enrol-form">
                                {enrol_notice}
                                <input type="hidden" name="diklat" value=d.id/>
                                <p class="hint">{lang.pick("Semua orang di wilayah Anda yang cocok dengan pilihan ini didaftarkan; yang sudah terdaftar dilewati.", "Everyone in your region matching these choices is enrolled; those already enrolled are skipped.")}</p>
                                <label>{lang.pick("Kecamatan", "District")}
                                    <select name="kecamatan">
                                        <option value="">{lang.pick("(semua)", "(all)")}</option>
                                        {d.districts.iter().map(|(id, name)| view! { <option value=*id selected=kecamatan == id.to_string()>{name.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                {(!d.villages.is_empty()).then(|| view! {
                                    <label>{lang.pick("Kelurahan", "Village")}
                                        <select name="kelurahan">
                                            <option value="">{lang.pick("(semua)", "(all)")}</option>
                                            {d.villages.iter().map(|(id, name)| view! { <option value=*id selected=kelurahan == id.to_string()>{name.clone()}</option> }).collect_view()}
                                        </select>
                                    </label>
                                })}
                                <label>{lang.pick("Jabatan", "Position")}
                                    <select name="jabatan">
                                        <option value="">{lang.pick("(semua)", "(all)")}</option>
                                        {types::Jabatan::PENGURUS.iter().chain(types::Jabatan::PENGAWAS).map(|&j| view! { <option value=j.code() selected=jabatan == j.code()>{lang.label(j)}</option> }).collect_view()}
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
                                                        <td><a href=format!("/peserta/{}", r.person_id)>{r.name.clone()}</a><br/><span class="hint">{r.position.map(|j| lang.label(j)).unwrap_or_default()}</span></td>
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
