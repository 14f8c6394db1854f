//! QR codes as inline SVG (no image files, no JavaScript).

use qrcode::{render::svg, EcLevel, QrCode};

/// An SVG QR code of `data`, or `None` if it is too long to encode.
pub fn svg(data: &str, size: u32) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(size, size)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}
