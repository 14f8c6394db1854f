//! Readers for rendered certificate PDFs in tests: page count, text extraction and QR decoding
//! (the domain's unit tests and the server's integration tests share this file).

use lopdf::{Document, Object, Stream};

/// Number of pages in `pdf`. Panics if the PDF cannot be parsed.
pub fn pdf_page_count(pdf: &[u8]) -> usize {
    Document::load_mem(pdf).expect("parse PDF").get_pages().len()
}

/// Extracts the text of all pages (via the fonts' ToUnicode maps). Panics if the PDF cannot be
/// parsed.
pub fn pdf_text(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("extract PDF text")
}

/// Finds the image XObjects in `pdf`, rebuilds each as a grayscale bitmap and returns the content
/// of the first QR code found.
pub fn pdf_qr(pdf: &[u8]) -> Option<String> {
    let doc = Document::load_mem(pdf).ok()?;
    doc.objects
        .values()
        .filter_map(|obj| obj.as_stream().ok())
        .filter(|stream| is_image(stream))
        .filter_map(|stream| gray_bitmap(&doc, stream))
        .find_map(|bitmap| decode_qr(&bitmap))
}

/// An 8-bit grayscale bitmap, row-major.
struct Bitmap {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

fn is_image(stream: &Stream) -> bool {
    stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|name| name == b"Image")
}

fn int(doc: &Document, stream: &Stream, key: &[u8]) -> Option<usize> {
    let value = stream.dict.get_deref(key, doc).ok()?.as_i64().ok()?;
    usize::try_from(value).ok()
}

/// Number of color components of an image color space (DeviceGray/RGB/CMYK, ICCBased, CalGray,
/// CalRGB). Indexed and other exotic spaces are not supported.
fn components(doc: &Document, color_space: &Object) -> Option<usize> {
    let (_, color_space) = doc.dereference(color_space).ok()?;
    match color_space {
        Object::Name(name) => match name.as_slice() {
            b"DeviceGray" | b"CalGray" => Some(1),
            b"DeviceRGB" | b"CalRGB" => Some(3),
            b"DeviceCMYK" => Some(4),
            _ => None,
        },
        Object::Array(items) => {
            let family = items.first()?.as_name().ok()?;
            match family {
                b"ICCBased" => {
                    let (_, profile) = doc.dereference(items.get(1)?).ok()?;
                    let n = profile.as_stream().ok()?.dict.get(b"N").ok()?.as_i64().ok()?;
                    usize::try_from(n).ok()
                }
                b"CalGray" => Some(1),
                b"CalRGB" => Some(3),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Decodes an image stream to per-pixel sample values (0–255) with `n` components per pixel.
fn samples(doc: &Document, stream: &Stream, n: usize) -> Option<(usize, usize, Vec<u8>)> {
    let width = int(doc, stream, b"Width")?;
    let height = int(doc, stream, b"Height")?;
    let bpc = int(doc, stream, b"BitsPerComponent").unwrap_or(8);
    let data =
        if stream.dict.get(b"Filter").is_ok() { stream.decompressed_content().ok()? } else { stream.content.clone() };
    let row_bits = width * n * bpc;
    let row_bytes = row_bits.div_ceil(8);
    if data.len() < row_bytes * height || !matches!(bpc, 1 | 2 | 4 | 8) {
        return None;
    }
    let max = (1u32 << bpc) - 1;
    let mut out = Vec::with_capacity(width * height * n);
    for row in data.chunks(row_bytes).take(height) {
        for i in 0..width * n {
            let bit = i * bpc;
            let byte = u32::from(row[bit / 8]);
            let value = (byte >> (8 - bpc - bit % 8)) & max;
            out.push(u8::try_from(value * 255 / max).ok()?);
        }
    }
    Some((width, height, out))
}

/// Rebuilds an image XObject as a grayscale bitmap, compositing any soft mask over white.
fn gray_bitmap(doc: &Document, stream: &Stream) -> Option<Bitmap> {
    let n = components(doc, stream.dict.get(b"ColorSpace").ok()?)?;
    let (width, height, raw) = samples(doc, stream, n)?;
    let mut pixels: Vec<u8> = raw
        .chunks(n)
        .map(|px| match px {
            [g] => *g,
            [r, g, b] => ((u32::from(*r) * 299 + u32::from(*g) * 587 + u32::from(*b) * 114) / 1000) as u8,
            [c, m, y, k] => {
                let ink = (u32::from(*c) + u32::from(*m) + u32::from(*y)) / 3 + u32::from(*k);
                255 - ink.min(255) as u8
            }
            _ => 255,
        })
        .collect();
    if let Ok(Object::Reference(mask_id)) = stream.dict.get(b"SMask") {
        let mask = doc.get_object(*mask_id).ok()?.as_stream().ok()?;
        let (mw, mh, alpha) = samples(doc, mask, 1)?;
        if (mw, mh) == (width, height) {
            for (p, a) in pixels.iter_mut().zip(alpha) {
                let (p32, a32) = (u32::from(*p), u32::from(a));
                *p = ((p32 * a32 + 255 * (255 - a32)) / 255) as u8;
            }
        }
    }
    Some(Bitmap { width, height, pixels })
}

/// Decodes the first QR code in `bitmap`, adding a white margin in case the quiet zone is missing.
fn decode_qr(bitmap: &Bitmap) -> Option<String> {
    const PAD: usize = 32;
    let (w, h) = (bitmap.width + 2 * PAD, bitmap.height + 2 * PAD);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        if x < PAD || y < PAD || x >= bitmap.width + PAD || y >= bitmap.height + PAD {
            255
        } else {
            bitmap.pixels[(y - PAD) * bitmap.width + (x - PAD)]
        }
    });
    image.detect_grids().into_iter().find_map(|grid| grid.decode().ok().map(|(_, content)| content))
}
