use crate::{
    api::{person_detail, take_flash},
    app::use_lang,
    components::status::{or_error, FlashNotice},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/peserta/{id}`: edit a participant; deactivate (with a confirmation) or reactivate them.
#[component]
pub fn PersonPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let params = use_params_map();
    let id = params.read_untracked().get("id").and_then(|i| i.parse::<i32>().ok()).unwrap_or(0);
    let person = Resource::new(move || id, person_detail);
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <nav class="breadcrumb">
            <a href="/peserta">{t.people_title}</a>
        </nav>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                or_error(person.await.map(|p| {
                    let status = if !p.is_active { t.status_inactive } else if p.has_password { t.status_active } else { t.status_no_password };
                    view! {
                        <Title text=p.name.clone()/>
                        <h1>{p.name.clone()}</h1>
                        <p class="lead">{format!("{} · {}, {}", p.cooperative, p.village, p.district)}</p>
                        <FlashNotice flash=flash/>
                        {if p.protected {
                            view! {
                                <p class="notice notice-error" role="alert" data-testid="protected">{lang.pick(
                                    "Akun ini juga memegang peran panitia, pejabat, atau admin. Datanya hanya dapat diubah, disetel ulang, atau dinonaktifkan oleh admin yang wilayahnya mencakup semua peran akun ini.",
                                    "This account also holds a panitia, pejabat or admin role. Only an admin whose region covers all of its roles can edit, reset or deactivate it."
                                )}</p>
                            }.into_any()
                        } else {
                            view! {
                                <section class="card">
                                    <h2>{t.account_data}</h2>
                                    <form method="post" action="/peserta/ubah" class="form">
                                        <input type="hidden" name="id" value=p.id.to_string()/>
                                        <label for="nama">{t.f_name}</label>
                                        <input id="nama" name="nama" type="text" required maxlength="150" value=p.name.clone()/>
                                        <label for="nik">{t.f_nik}</label>
                                        <input id="nik" name="nik" type="text" inputmode="numeric" required maxlength="20" value=p.nik.clone()/>
                                        <label for="no_hp">{t.f_phone}</label>
                                        <input id="no_hp" name="no_hp" type="tel" maxlength="20" value=p.phone.clone()/>
                                        <label for="email">{t.f_email}</label>
                                        <input id="email" name="email" type="email" maxlength="254" value=p.email.clone()/>
                                        <label for="jabatan">{t.f_position}</label>
                                        <select id="jabatan" name="jabatan">
                                            {types::Jabatan::PARTICIPANT.iter().map(|&j| {
                                                let label = lang.label(j);
                                                view! { <option value=label selected=p.position == Some(j)>{label}</option> }
                                            }).collect_view()}
                                        </select>
                                        <button type="submit" class="button">{t.save}</button>
                                    </form>
                                </section>
                                <section class="card">
                                    <h2>{t.account_status}": "{status}</h2>
                                    {if p.is_active {
                                        view! {
                                            <form method="post" action="/peserta/status" class="form">
                                                <input type="hidden" name="id" value=p.id.to_string()/>
                                                <input type="hidden" name="jadi" value="nonaktif"/>
                                                <p class="hint">{t.deactivate_hint}</p>
                                                <label class="check"><input type="checkbox" name="yakin" value="1" required/>" "{t.deactivate_confirm}</label>
                                                <button type="submit" class="button danger">{t.deactivate}</button>
                                            </form>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <form method="post" action="/peserta/status" class="form">
                                                <input type="hidden" name="id" value=p.id.to_string()/>
                                                <input type="hidden" name="jadi" value="aktif"/>
                                                <button type="submit" class="button">{t.reactivate}</button>
                                            </form>
                                        }.into_any()
                                    }}
                                </section>
                            }.into_any()
                        }}
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
