//! Attendance pages: the panitia's marking grid, the projector code, the paper list; the
//! schedule and self check-in for peserta.

use crate::query::use_query_map;
use crate::{
    api::take_flash,
    app::use_lang,
    components::{
        print::PrintButton,
        status::{or_error, FlashNotice},
    },
    i18n::Lang,
    schedule_api::{attendance_sheet, checkin_code, checkin_page, my_schedule, session_grid, GridRow, SessionView},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

fn session_heading(s: &SessionView, lang: Lang) -> impl IntoView {
    view! {
        <p class="lead">
            {s.date_label.clone()}" · "{format!("{}–{} WIB", s.starts, s.ends)}" · "{s.room.clone()}", "{s.venue.clone()}
            {s.speaker.clone().map(|(n, i)| view! { <br/>{lang.pick("Narasumber: ", "Speaker: ")}{n}" ("{i}")" })}
        </p>
    }
}

fn grid_row(r: GridRow, lang: Lang) -> impl IntoView {
    let id = r.person_id;
    let shown = format!("{}|{}|{}", r.status.map(|s| s.code()).unwrap_or_default(), r.note, r.reason);
    let earlier: Vec<String> =
        r.history.iter().map(|(mark, source, at)| format!("{} ({}, {at})", mark.code(), lang.label(*source))).collect();
    view! {
        <tr data-person=id class:unmarked=r.status.is_none()>
            <th scope="row">
                {r.name.clone()}
                <br/><span class="hint">{r.position.map(|j| lang.label(j)).unwrap_or_default()}" · "{r.village.clone()}</span>
                {(!earlier.is_empty()).then(|| view! { <br/><span class="hint">{format!("{}{}", lang.pick("Sebelumnya: ", "Earlier: "), earlier.join("; "))}</span> })}
            </th>
            <td>
                <fieldset class="status-choice">
                    <legend class="visually-hidden">{format!("{} {}", lang.pick("Status", "Status"), r.name)}</legend>
                    {types::Attendance::ALL.into_iter().map(|s| {
                        view! {
                            <label title=lang.label(s)>
                                <input type="radio" name=format!("s{id}") value=s.code() checked=r.status == Some(s)/>
                                <span>{s.code()}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
            </td>
            <td>
                <input name=format!("c{id}") value=r.note.clone() maxlength="500" aria-label=lang.pick("Catatan", "Note") placeholder=lang.pick("Catatan", "Note")/>
                <input name=format!("r{id}") value=r.reason.clone() maxlength="500" aria-label=lang.pick("Alasan (izin/sakit)", "Reason (I/S)") placeholder=lang.pick("Alasan (I/S)", "Reason (I/S)")/>
                <input type="hidden" name=format!("v{id}") value=r.version.map(|v| v.to_string()).unwrap_or_default()/>
                <input type="hidden" name=format!("o{id}") value=shown/>
            </td>
        </tr>
    }
}

/// `/sesi/{id}`: the marking grid of a session, its counts, check-in and paper fallbacks.
#[component]
pub fn SessionPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let args = move || (id(), query.read().get("kelurahan").and_then(|v| v.parse::<i32>().ok()));
    let grid = Resource::new(args, |(id, v)| session_grid(id, v));
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(grid.await.map(|g| {
                    let s = g.session.clone();
                    let village = g.village;
                    let village_value = village.map(|v| v.to_string()).unwrap_or_default();
                    let rows = g.rows.len();
                    view! {
                        <Title text=s.title.clone()/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a>" › "<a href=format!("/diklat/{}", s.diklat_id)>{s.diklat_name.clone()}</a></nav>
                        <h1>{s.title.clone()}</h1>
                        {session_heading(&s, lang)}
                        <FlashNotice flash=flash/>
                        <ul class="counts" data-testid="counts">
                            {g.counts.iter().map(|&(mark, n)| view! { <li><strong>{n}</strong>" "{lang.label(mark)}" ("{mark.code()}")"</li> }).collect_view()}
                            <li><strong>{g.unmarked}</strong>" "{lang.pick("belum ditandai", "not marked")}</li>
                        </ul>

                        <section class="card no-print" data-testid="checkin">
                            <h2>{lang.pick("Presensi mandiri", "Self check-in")}</h2>
                            {match g.checkin.clone() {
                                Some(c) => view! {
                                    <p>{format!("{} {} WIB · {} {} {}", lang.pick("Dibuka sampai", "Open until"), c.closes_at, lang.pick("terlambat setelah", "late after"), c.late_after_minutes, lang.pick("menit", "minutes"))}</p>
                                    <p><a class="button" href=format!("/sesi/{}/kode", s.id)>{lang.pick("Tampilkan kode di layar", "Show the code")}</a></p>
                                    <form method="post" action="/presensi/tutup">
                                        <input type="hidden" name="sesi" value=s.id/>
                                        <button type="submit" class="button secondary">{lang.pick("Tutup presensi mandiri", "Close check-in")}</button>
                                    </form>
                                }.into_any(),
                                None => view! {
                                    <form method="post" action="/presensi/buka" class="row">
                                        <input type="hidden" name="sesi" value=s.id/>
                                        <label>{lang.pick("Dibuka selama (menit)", "Open for (minutes)")}<input type="number" name="menit" value="60" min="5" max="1440"/></label>
                                        <label>{lang.pick("Terlambat setelah mulai (menit)", "Late after start (minutes)")}<input type="number" name="terlambat" value="15" min="0" max="240"/></label>
                                        <button type="submit" class="button">{lang.pick("Buka presensi mandiri", "Open check-in")}</button>
                                    </form>
                                }.into_any(),
                            }}
                        </section>

                        <h2>{lang.pick("Tandai kehadiran", "Mark attendance")}</h2>
                        <form method="get" class="row no-print">
                            <label>{lang.pick("Kelurahan", "Village")}
                                <select name="kelurahan">
                                    <option value="">{lang.pick("(semua)", "(all)")}</option>
                                    {g.villages.iter().map(|(id, name)| view! { <option value=*id selected=village == Some(*id)>{name.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button secondary">{lang.pick("Saring", "Filter")}</button>
                        </form>
                        <form method="post" action="/presensi/semua-hadir" class="no-print">
                            <input type="hidden" name="sesi" value=s.id/>
                            <input type="hidden" name="kelurahan" value=village_value.clone()/>
                            <button type="submit" class="button secondary">{lang.pick("Semua yang belum ditandai: Hadir", "Mark everyone unmarked present")}</button>
                        </form>
                        {if rows == 0 {
                            view! { <p class="empty">{lang.pick("Belum ada peserta terdaftar.", "Nobody is enrolled yet.")}</p> }.into_any()
                        } else {
                            view! {
                                <form method="post" action="/presensi/simpan" data-testid="grid">
                                    <input type="hidden" name="sesi" value=s.id/>
                                    <input type="hidden" name="kelurahan" value=village_value/>
                                    <p class="hint">{lang.pick("H hadir · T terlambat · I izin · S sakit · A alpa. Tab pindah baris, panah memilih status. Baris yang tidak diubah tidak disimpan.", "H present · T late · I excused · S sick · A absent. Tab moves between rows, arrows choose. Rows left unchanged are not saved.")}</p>
                                    <div class="table-wrap">
                                        <table class="data grid">
                                            <thead><tr>
                                                <th>{lang.pick("Peserta", "Participant")}</th>
                                                <th>"Status"</th>
                                                <th>{lang.pick("Catatan / alasan", "Note / reason")}</th>
                                            </tr></thead>
                                            <tbody>{g.rows.into_iter().map(|r| grid_row(r, lang)).collect_view()}</tbody>
                                        </table>
                                    </div>
                                    <p class="sticky-actions"><button type="submit" class="button">{lang.pick("Simpan presensi", "Save attendance")}</button></p>
                                </form>
                            }.into_any()
                        }}

                        <section class="card no-print">
                            <h2>{lang.pick("Daftar hadir kertas", "Paper list")}</h2>
                            <p>
                                <a class="button secondary" href=format!("/sesi/{}/daftar-hadir", s.id)>{lang.pick("Cetak daftar hadir", "Print the list")}</a>" "
                                <a class="button secondary" href=format!("/unduh/sesi/presensi-sesi-{}.csv", s.id)>"CSV"</a>" "
                                <a class="button secondary" href=format!("/unduh/sesi/presensi-sesi-{}.xlsx", s.id)>"XLSX"</a>
                            </p>
                            <form method="post" action="/presensi/impor" enctype="multipart/form-data" class="stack">
                                <input type="hidden" name="sesi" value=s.id/>
                                <label>{lang.pick("Impor tanda hadir dari CSV (kolom: nik, status, catatan, alasan)", "Import marks from CSV (columns: nik, status, catatan, alasan)")}
                                    <input type="file" name="berkas" accept=".csv,text/csv" required/>
                                </label>
                                <button type="submit" class="button secondary">{lang.pick("Impor", "Import")}</button>
                            </form>
                        </section>
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/sesi/{id}/kode`: what the projector shows. It reloads itself when the code rotates, so it
/// needs no JavaScript.
#[component]
pub fn CodePage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let code = Resource::new(id, checkin_code);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(code.await.map(|c| {
                    let refresh = (c.seconds_left + 1).clamp(2, 60).to_string();
                    view! {
                        <Title text=lang.pick("Kode presensi", "Check-in code")/>
                        {c.open.then(|| view! { <Meta http_equiv="refresh" content=refresh/> })}
                        <div class="projector">
                            <h1>{c.session.title.clone()}</h1>
                            {if c.open {
                                view! {
                                    <p class="lead">{lang.pick("Buka ", "Open ")}<strong data-testid="address">{c.address.clone()}</strong>{lang.pick(" dan ketik kode ini, atau pindai QR:", " and type this code, or scan the QR:")}</p>
                                    <p class="big-code" data-testid="code" aria-live="polite">{c.code.clone()}</p>
                                    <div class="qr" inner_html=c.qr_svg.clone()></div>
                                    <p class="hint">{format!("{} {} {} · {} {} WIB", lang.pick("Kode berganti dalam", "Changes in"), c.seconds_left, lang.pick("detik", "seconds"), lang.pick("ditutup", "closes"), c.closes_at)}</p>
                                    <p class="hint" data-testid="grace">{format!("{} {} {}", lang.pick("Kode lama masih diterima", "A code is still accepted for"), c.grace_seconds, lang.pick("detik setelah berganti.", "seconds after it changes."))}</p>
                                    <p data-testid="checked-in">{format!("{} {} {} {}", c.checked_in, lang.pick("dari", "of"), c.enrolled, lang.pick("peserta sudah hadir", "participants checked in"))}</p>
                                }.into_any()
                            } else {
                                view! { <p class="notice notice-error">{lang.pick("Presensi mandiri untuk sesi ini sedang ditutup.", "Self check-in is closed for this session.")}</p> }.into_any()
                            }}
                            <p class="no-print"><a href=format!("/sesi/{}", c.session.id)>{lang.pick("‹ Kembali ke presensi sesi", "‹ Back to the session")}</a></p>
                        </div>
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/sesi/{id}/daftar-hadir`: a print-ready paper list, by kelurahan, with a signature column.
#[component]
pub fn SheetPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let sheet = Resource::new(id, attendance_sheet);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(sheet.await.map(|(s, rows)| view! {
                    <Title text=lang.pick("Daftar hadir", "Attendance list")/>
                    <div class="sheet">
                        <h1>{lang.pick("DAFTAR HADIR", "ATTENDANCE LIST")}</h1>
                        <p><strong>{s.diklat_name.clone()}</strong></p>
                        <p>{s.title.clone()}" — "{s.date_label.clone()}", "{format!("{}–{} WIB", s.starts, s.ends)}" — "{s.room.clone()}", "{s.venue.clone()}</p>
                        <p class="no-print"><PrintButton label=lang.pick("Cetak", "Print").to_string()/></p>
                        <table class="data sheet-table">
                            <thead><tr>
                                <th class="num">"No"</th><th>{lang.pick("Nama", "Name")}</th><th>{lang.pick("Jabatan", "Position")}</th>
                                <th>{lang.pick("Kelurahan", "Village")}</th><th class="signature">{lang.pick("Tanda tangan", "Signature")}</th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().enumerate().map(|(i, r)| view! {
                                    <tr><td class="num">{i + 1}</td><td>{r.name}</td><td>{r.position.map(|j| lang.label(j)).unwrap_or_default()}</td><td>{r.village}</td><td class="signature"></td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="sheet-sign">{lang.pick("Panitia", "Organiser")}<br/><br/><br/>"(______________________)"</p>
                    </div>
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/jadwal`: the caller's schedule, next session first, today highlighted, with calendar feeds.
#[component]
pub fn SchedulePage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let schedule = Resource::new(|| (), |_| my_schedule());
    let title = lang.pick("Jadwal", "Schedule");
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(schedule.await.map(|v| {
                    let next = v.sessions.iter().find(|s| Some(s.id) == v.next_id).cloned();
                    view! {
                        <p class="lead">{lang.pick("Hari ini: ", "Today: ")}{v.today.clone()}</p>
                        {(!v.staff).then(|| view! { <crate::pages::evaluation::DueList/> })}
                        {match next {
                            Some(n) => view! {
                                <section class="card next-session" data-testid="next-session">
                                    <h2>{lang.pick("Sesi berikutnya", "Next session")}</h2>
                                    <p><strong>{n.title.clone()}</strong></p>
                                    <p>{n.date_label.clone()}" · "{format!("{}–{} WIB", n.starts, n.ends)}" · "{n.room.clone()}", "{n.venue.clone()}</p>
                                    {(n.is_today && !v.staff).then(|| view! { <p><a class="button" href=format!("/presensi?sesi={}", n.id)>{lang.pick("Presensi sekarang", "Check in now")}</a></p> })}
                                    {(v.staff).then(|| view! { <p><a class="button" href=format!("/sesi/{}", n.id)>{lang.pick("Buka presensi sesi", "Open the session")}</a></p> })}
                                </section>
                            }.into_any(),
                            None => view! { <p class="empty">{lang.pick("Tidak ada sesi mendatang.", "No upcoming sessions.")}</p> }.into_any(),
                        }}
                        {
                            let staff = v.staff;
                            let (past, upcoming): (Vec<SessionView>, Vec<SessionView>) = v.sessions.iter().cloned().partition(|s| s.is_past && !s.is_today);
                            let item = move |s: SessionView| {
                                let href = if staff { format!("/sesi/{}", s.id) } else { s.module.clone().map(|m| format!("/modul/{}", m.0)).unwrap_or_default() };
                                view! {
                                    <li class="session-item" class:today=s.is_today class:past=s.is_past aria-current=s.is_today.then_some("date")>
                                        <p class="when">{s.date_label.clone()}" · "{format!("{}–{} WIB", s.starts, s.ends)}</p>
                                        <p class="what">
                                            {if href.is_empty() { view! { <strong>{s.title.clone()}</strong> }.into_any() } else { view! { <a href=href>{s.title.clone()}</a> }.into_any() }}
                                        </p>
                                        <p class="hint">
                                            {s.room.clone()}", "{s.venue.clone()}
                                            {s.speaker.clone().map(|(n, i)| view! { <br/>{n}" — "{i}" " })}
                                            <br/>{s.diklat_name.clone()}
                                        </p>
                                    </li>
                                }
                            };
                            view! {
                                {(!upcoming.is_empty()).then(|| view! {
                                    <h2>{lang.pick("Sesi mendatang", "Upcoming sessions")}</h2>
                                    <ol class="session-list" data-testid="schedule">{upcoming.into_iter().map(item).collect_view()}</ol>
                                })}
                                {(!past.is_empty()).then(|| view! {
                                    <details class="card">
                                        <summary>{format!("{} ({})", lang.pick("Sesi yang sudah lewat", "Past sessions"), past.len())}</summary>
                                        <ol class="session-list">{past.into_iter().rev().map(item).collect_view()}</ol>
                                    </details>
                                })}
                            }
                        }
                        <section class="card">
                            <h2>{lang.pick("Langganan kalender", "Calendar subscription")}</h2>
                            <p class="hint">{lang.pick("Salin alamat ini ke aplikasi kalender ponsel (\"Tambah kalender dari URL\"). Alamat jadwal pribadi bersifat rahasia.", "Paste an address into your phone's calendar app (\"add calendar from URL\"). Your personal address is private.")}</p>
                            <ul>
                                {v.feeds.into_iter().map(|(label, path)| view! { <li><a href=path.clone() data-testid="feed">{label}</a>" — "<code>{path}</code></li> }).collect_view()}
                            </ul>
                        </section>
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}

/// `/presensi`: a peserta checks in by typing the code on the screen, or by opening the QR link
/// (which fills the code in; checking in still takes a press of the button — a GET changes nothing).
#[component]
pub fn PresensiPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let query = use_query_map();
    let args = move || query.read().get("sesi").and_then(|s| s.parse::<i32>().ok());
    let page = Resource::new(args, checkin_page);
    let flash = Resource::new(|| (), |_| take_flash());
    let title = lang.pick("Presensi", "Check-in");
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                let code = query.read_untracked().get("kode").unwrap_or_default();
                let session_id = args();
                or_error(page.await.map(|v| view! {
                    <FlashNotice flash=flash/>
                    {v.session.clone().map(|s| view! { <p class="lead">{s.title.clone()}" — "{format!("{}–{} WIB", s.starts, s.ends)}</p> })}
                    <form method="post" action="/presensi/hadir" class="stack checkin-form" data-testid="checkin-form">
                        {session_id.map(|s| view! { <input type="hidden" name="sesi" value=s/> })}
                        <label>{lang.pick("Kode di layar", "Code on the screen")}
                            <input name="kode" value=code required autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="12" class="code-input"/>
                        </label>
                        <button type="submit" class="button">{lang.pick("Saya hadir", "Check me in")}</button>
                    </form>
                    {if v.open_sessions.is_empty() {
                        view! { <p class="hint">{lang.pick("Saat ini tidak ada sesi Anda yang membuka presensi mandiri.", "None of your sessions is open for check-in right now.")}</p> }.into_any()
                    } else {
                        view! {
                            <p class="hint">{lang.pick("Sesi yang sedang membuka presensi:", "Sessions open for check-in:")}</p>
                            <ul>{v.open_sessions.into_iter().map(|(_, title, time)| view! { <li>{title}" ("{time}")"</li> }).collect_view()}</ul>
                        }.into_any()
                    }}
                    {(!v.marks_today.is_empty()).then(|| view! {
                        <h2>{lang.pick("Kehadiran Anda hari ini", "Your attendance today")}</h2>
                        <ul data-testid="marks-today">{v.marks_today.into_iter().map(|(title, mark)| view! { <li>{title}": "<strong>{lang.label(mark)}</strong></li> }).collect_view()}</ul>
                    })}
                }))
            })}
        </Suspense>
    }
    .into_any()
}
