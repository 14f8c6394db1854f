use crate::query::use_query_map;
use crate::{
    api::take_flash,
    app::{use_lang, use_viewer},
    components::status::FlashNotice,
    i18n::is_local_path,
};
use leptos::prelude::*;
use leptos_meta::Title;

/// `/masuk`: the sign-in form, a plain post to `/masuk`.
#[component]
pub fn LoginPage() -> impl IntoView {
    let t = use_lang().t();
    let query = use_query_map();
    let ke = query.read_untracked().get("ke").filter(|k| is_local_path(k)).unwrap_or_else(|| "/akun".to_string());
    let flash = Resource::new(|| (), |_| take_flash());
    let viewer = use_viewer();
    view! {
        <Title text=t.login_title/>
        <section class="narrow">
            <h1>{t.login_title}</h1>
            {match viewer {
                Some(v) => {
                    view! {
                        <p>{t.already_signed_in}" "<strong>{v.name}</strong>"."</p>
                        <p>
                            <a class="button" href="/akun">{t.nav_account}</a>
                        </p>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="lead">{t.login_lead}</p>
                        <Suspense fallback=|| ()>
                            {move || {
                                let ke = ke.clone();
                                Suspend::new(async move {
                                let flash = flash.await.ok().flatten();
                                let login = flash.as_ref().and_then(|f| f.login.clone()).unwrap_or_default();
                                let focus_password = !login.is_empty();
                                view! {
                                    <FlashNotice flash=flash/>
                                    <form method="post" action="/auth/masuk" class="form card">
                                        <input type="hidden" name="ke" value=ke.clone()/>
                                        <label for="login">{t.login_id_label}</label>
                                        <input
                                            id="login"
                                            name="login"
                                            type="text"
                                            autocomplete="username"
                                            required
                                            maxlength="254"
                                            value=login
                                            autofocus=!focus_password
                                            aria-describedby="login-hint"
                                        />
                                        <small id="login-hint" class="hint">{t.login_id_hint}</small>
                                        <label for="sandi">{t.password_label}</label>
                                        <input
                                            id="sandi"
                                            name="sandi"
                                            type="password"
                                            autocomplete="current-password"
                                            required
                                            maxlength="1024"
                                            autofocus=focus_password
                                        />
                                        <button type="submit" class="button">{t.login_button}</button>
                                    </form>
                                }
                            })
                            }}
                        </Suspense>
                        <p class="hint">{t.login_first_time}</p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
