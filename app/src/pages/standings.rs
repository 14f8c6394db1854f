//! `/diklat/{id}/kelulusan`: who meets the diklat's completion rule, and what each participant
//! still misses (attendance, post-tests, pre-tests).

use crate::{
    app::{require_sign_in, use_lang},
    components::status::or_error,
    schedule_api::diklat_standings,
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
    if !require_sign_in(&format!("/diklat/{}/kelulusan", id())) {
        return ().into_any();
    }
    let standings = Resource::new(id, diklat_standings);
    view! {
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                or_error(standings.await.map(|s| {
                    let title = lang.pick("Kelulusan", "Completion");
                    let total = s.rows.len();
                    view! {
                        <Title text=format!("{title} — {}", s.diklat_name)/>
                        <nav class="breadcrumb no-print"><a href="/diklat">{lang.pick("Diklat", "Training")}</a>" › "<a href=format!("/diklat/{}", s.diklat_id)>{s.diklat_name.clone()}</a></nav>
                        <h1>{title}</h1>
                        <p class="muted">{format!(
                            "{} {}% {} · {} {} {}{}",
                            lang.pick("Syarat: kehadiran minimal", "Rule: attendance of at least"),
                            s.min_attendance,
                            lang.pick("dari semua sesi", "of all sessions"),
                            lang.pick("lulus tes akhir", "post-test passed in"),
                            s.modules,
                            lang.pick("modul", "modules"),
                            if s.require_pretests { lang.pick(" · tes awal wajib diikuti", " · pre-tests required") } else { "" }
                        )}</p>
                        <p class="lead" data-testid="eligible">{format!("{} {} {total} {}", s.eligible, lang.pick("dari", "of"), lang.pick("peserta memenuhi syarat", "participants meet the rule"))}</p>
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
                                        </tr></thead>
                                        <tbody>
                                            {s.rows.into_iter().map(|r| {
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
                                                        <td class:warn=!r.post_missing.is_empty() || !r.pre_missing.is_empty()>{tests}</td>
                                                        <td>{if r.eligible { view! { <strong>{lang.pick("Memenuhi syarat", "Meets the rule")}</strong> }.into_any() } else { view! { <span>{lang.pick("Belum", "Not yet")}</span> }.into_any() }}</td>
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
