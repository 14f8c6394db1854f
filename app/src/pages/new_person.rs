use crate::{api::take_flash, app::use_lang, components::status::FlashNotice};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/peserta/baru`: add one participant (the checks are those of the importer).
#[component]
pub fn NewPersonPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Title text=t.new_person/>
        <nav class="breadcrumb">
            <a href="/peserta">{t.people_title}</a>
            " › "
            <span>{t.new_person}</span>
        </nav>
        <h1>{t.new_person}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                view! {
                    <FlashNotice flash=flash/>
                    <form method="post" action="/peserta/tambah" class="form card">
                        <label for="nama">{t.f_name}</label>
                        <input id="nama" name="nama" type="text" required maxlength="150"/>
                        <label for="nik">{t.f_nik}</label>
                        <input id="nik" name="nik" type="text" inputmode="numeric" required maxlength="20"/>
                        <label for="no_hp">{t.f_phone}</label>
                        <input id="no_hp" name="no_hp" type="tel" maxlength="20"/>
                        <label for="email">{t.f_email}</label>
                        <input id="email" name="email" type="email" maxlength="254"/>
                        <label for="kelurahan">{t.f_kelurahan}</label>
                        <input id="kelurahan" name="kelurahan" type="text" required maxlength="100"/>
                        <label for="kecamatan">{t.f_kecamatan}</label>
                        <input id="kecamatan" name="kecamatan" type="text" maxlength="100" aria-describedby="kec-hint"/>
                        <small id="kec-hint" class="hint">{t.kecamatan_hint}</small>
                        <label for="jabatan">{t.f_position}</label>
                        <select id="jabatan" name="jabatan">
                            {types::Jabatan::PARTICIPANT.iter().map(|&j| {
                                let label = lang.label(j);
                                view! { <option value=label>{label}</option> }
                            }).collect_view()}
                        </select>
                        <button type="submit" class="button">{t.save}</button>
                    </form>
                }
            })}
        </Suspense>
    }
    .into_any()
}
