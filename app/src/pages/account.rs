use crate::{
    api::{my_account, take_flash},
    app::use_lang,
    components::status::{or_error, FlashNotice},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/akun`: the signed-in person's own data and the password form.
#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let t = lang.t();
    let account = Resource::new(|| (), |_| my_account());
    let flash = Resource::new(|| (), |_| take_flash());
    view! {
        <Title text=t.account_title/>
        <h1>{t.account_title}</h1>
        <Suspense fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flash.await.ok().flatten();
                let dash = || t.not_set.to_string();
                or_error(account.await.map(|a| {
                    let rows = [
                        (t.f_name, Some(a.name.clone())),
                        (t.f_nik, a.nik_masked.clone()),
                        (t.f_phone, a.phone.clone()),
                        (t.f_email, a.email.clone()),
                        (t.f_position, a.position.map(|j| lang.label(j).to_string())),
                        (t.f_kkmp, a.cooperative.clone()),
                        (t.f_kelurahan, a.village.clone()),
                        (t.f_kecamatan, a.district.clone()),
                        (t.f_kota, a.regency.clone()),
                    ];
                    view! {
                        <FlashNotice flash=flash/>
                        <section class="card">
                            <h2>{t.account_data}</h2>
                            <dl class="facts">
                                {rows
                                    .into_iter()
                                    .map(|(k, v)| view! { <dt>{k}</dt><dd>{v.unwrap_or_else(dash)}</dd> })
                                    .collect_view()}
                                <dt>{t.roles_title}</dt>
                                <dd>
                                    <ul class="plain">
                                        {a
                                            .roles
                                            .into_iter()
                                            .map(|(role, scope)| {
                                                view! { <li>{lang.label(role)}" · "{scope}</li> }
                                            })
                                            .collect_view()}
                                    </ul>
                                </dd>
                            </dl>
                        </section>
                        <section class="card" id="sandi">
                            <h2>{t.change_password_title}</h2>
                            <form method="post" action="/auth/sandi" class="form">
                                <input type="text" name="username" autocomplete="username" value=a.phone.or(a.email).unwrap_or_default() hidden/>
                                <label for="sandi_lama">{t.current_password}</label>
                                <input id="sandi_lama" name="sandi_lama" type="password" autocomplete="current-password" required maxlength="1024"/>
                                <label for="sandi_baru">{t.new_password}</label>
                                <input id="sandi_baru" name="sandi_baru" type="password" autocomplete="new-password" required minlength="8" maxlength="128" aria-describedby="sandi-hint"/>
                                <small id="sandi-hint" class="hint">{t.password_hint}</small>
                                <label for="sandi_ulang">{t.repeat_password}</label>
                                <input id="sandi_ulang" name="sandi_ulang" type="password" autocomplete="new-password" required minlength="8" maxlength="128"/>
                                <label class="inline"><input type="checkbox" name="keluar_lain" value="1" checked/>" "{t.end_other_sessions}</label>
                                <button type="submit" class="button">{t.save_password}</button>
                            </form>
                        </section>
                    }
                }))
            })}
        </Suspense>
    }
    .into_any()
}
