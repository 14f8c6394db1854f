//! An island posting its page's form in the background: the same address and fields the form
//! posts without JavaScript, asking for data (`Accept: application/json`). The server has one
//! handler per action, which answers a browser with a redirect and an island with JSON.

/// Why a background post did not give its value.
#[cfg(feature = "hydrate")]
pub enum Failed {
    /// The server answered and refused: its sentence, in both languages.
    Refused(types::Text),
    /// No answer could be read (offline, a timeout, a page instead of data).
    Unreachable,
}

/// Posts `form`'s fields (URL-encoded, as the browser would) to its `action`, for data.
#[cfg(feature = "hydrate")]
pub async fn post_form<T: serde::de::DeserializeOwned>(form: &web_sys::HtmlFormElement) -> Result<T, Failed> {
    let data = web_sys::FormData::new_with_form(form).map_err(|_| Failed::Unreachable)?;
    let fields = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).map_err(|_| Failed::Unreachable)?;
    let request = gloo_net::http::Request::post(&form.action())
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(String::from(fields.to_string()))
        .map_err(|_| Failed::Unreachable)?;
    let response = request.send().await.map_err(|_| Failed::Unreachable)?;
    if response.ok() {
        response.json::<T>().await.map_err(|_| Failed::Unreachable)
    } else {
        Err(response.json::<types::Text>().await.map_or(Failed::Unreachable, Failed::Refused))
    }
}
