//! The participant importer over HTTP: every bad row is reported with its line and column, and
//! a file with any bad row writes nothing.

use crate::db_test;
use crate::helpers::TestApp;
use domain::entities::person;
use sea_orm::{EntityTrait, PaginatorTrait};

const HEADER: &str = "nama;nik;no_hp;email;kelurahan;jabatan\r\n";

async fn panitia(app: &TestApp) -> reqwest::Client {
    let client = app.browser();
    let r = app.sign_in(&client, "panitia@demo.diklat-kkmp.test", "demo-panitia-kkmp").await;
    assert_eq!(r.headers()["location"], "/akun");
    client
}

/// Uploads a file and returns the report page's text.
async fn upload(app: &TestApp, client: &reqwest::Client, name: &str, bytes: Vec<u8>) -> String {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("berkas", part);
    let r = client.post(app.url("/unggah/peserta")).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "the upload redirects to its report");
    client.get(app.url("/peserta/impor")).send().await.unwrap().text().await.unwrap()
}

async fn people(app: &TestApp) -> u64 {
    person::Entity::find().count(app.state.db.read()).await.unwrap()
}

/// The (line, column, problem) rows of a report page.
fn row_errors(html: &str) -> Vec<(usize, String, String)> {
    html.split(r#"class="row-error""#)
        .skip(1)
        .map(|row| {
            let cells: Vec<String> = row
                .split("<td")
                .skip(1)
                .map(|c| {
                    let inner = &c[c.find('>').unwrap() + 1..];
                    let text: String = inner.split("</td>").next().unwrap().to_string();
                    let mut plain = String::new();
                    let mut in_tag = false;
                    for ch in text.chars() {
                        match ch {
                            '<' => in_tag = true,
                            '>' => in_tag = false,
                            c if !in_tag => plain.push(c),
                            _ => {}
                        }
                    }
                    plain.trim().to_string()
                })
                .collect();
            (cells[0].parse().unwrap(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

db_test!(a_valid_csv_imports_every_row_in_one_go, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let before = people(&app).await;
    let csv = format!(
        "\u{feff}{HEADER}Sri Wahyuni;3573014101800001;0813 1111 0001;;Kotalama;Bendahara\r\nJoko Susilo;3573010202790002;+6281311110002;joko@contoh.test;Sawojajar;Ketua Pengawas\r\n"
    );
    let html = upload(&app, &client, "peserta.csv", csv.into_bytes()).await;
    assert!(html.contains("Berhasil: 2 peserta dari peserta.csv ditambahkan."), "{html}");
    assert_eq!(people(&app).await, before + 2);
    let list = client.get(app.url("/peserta?q=Sri%20Wahyuni")).send().await.unwrap().text().await.unwrap();
    assert!(list.contains("Belum aktivasi"), "imported people have an account without a password yet");
    // The report is shown once.
    let again = client.get(app.url("/peserta/impor")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("Berhasil"));
});

db_test!(every_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_written, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let before = people(&app).await;
    let csv = [
        HEADER,
        "Baris Baik;3573014101800009;081311119999;;Kotalama;Ketua\r\n", // 2: fine
        ";3573014101800010;081311110010;;Kotalama;Ketua\r\n",           // 3: no name
        "NIK Pendek;35730141018;081311110011;;Kotalama;Ketua\r\n",      // 4: short NIK
        "HP Salah;3573014101800012;0341-551234;;Kotalama;Ketua\r\n",    // 5: landline
        "Kelurahan Lain;3573014101800013;081311110013;;Atlantis;Ketua\r\n", // 6: unknown village
        "Jabatan Aneh;3573014101800014;081311110014;;Kotalama;Direktur\r\n", // 7: unknown position
        "NIK Kembar;3573014101800009;081311110015;;Kotalama;Ketua\r\n", // 8: NIK repeats line 2
        "Sudah Ada;3573010101600001;081311110016;;Kotalama;Ketua\r\n",  // 9: NIK in database
        "Tanpa Kontak;3573014101800017;;;Kotalama;Ketua\r\n",           // 10: no phone, no e-mail
        "Email Rusak;3573014101800018;;bukan-email;Kotalama;Ketua\r\n", // 11: bad e-mail
    ]
    .concat();
    // Line 9's NIK belongs to a demo participant.
    let existing =
        person::Entity::find().all(app.state.db.read()).await.unwrap().into_iter().find_map(|p| p.nik).unwrap();
    let csv = csv.replace("3573010101600001", &existing);
    let html = upload(&app, &client, "salah.csv", csv.into_bytes()).await;
    assert!(html.contains("Tidak ada yang disimpan"), "{html}");
    let errors = row_errors(&html);
    let found: Vec<(usize, &str)> = errors.iter().map(|(l, f, _)| (*l, f.as_str())).collect();
    assert_eq!(
        found,
        [
            (3, "nama"),
            (4, "nik"),
            (5, "no_hp"),
            (6, "kelurahan"),
            (7, "jabatan"),
            (8, "nik"),
            (9, "nik"),
            (10, "no_hp"),
            (11, "email")
        ],
        "{errors:?}"
    );
    assert!(errors.iter().any(|(l, _, m)| *l == 8 && m == "Sama dengan baris 2 di berkas ini"));
    assert!(errors.iter().any(|(l, _, m)| *l == 9 && m == "NIK ini sudah terdaftar"));
    assert_eq!(people(&app).await, before, "nothing is written when any row is bad");
});

db_test!(a_file_without_required_columns_or_of_another_type_is_refused, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let html = upload(&app, &client, "a.csv", b"name,phone\nSiti,0812\n".to_vec()).await;
    let fields: Vec<String> = row_errors(&html).into_iter().map(|(_, f, _)| f).collect();
    assert_eq!(fields, ["nik", "kelurahan", "jabatan"]);
    let html = upload(&app, &client, "a.pdf", b"%PDF-1.4".to_vec()).await;
    assert!(html.contains("Jenis berkas tidak dikenal"));
    let html = upload(&app, &client, "latin1.csv", b"nama,nik\nJos\xe9,1\n".to_vec()).await;
    assert_eq!(row_errors(&html)[0].0, 2);
    assert!(html.contains("UTF-8"));
});

db_test!(an_english_page_shows_the_problems_in_english, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let r = client.get(app.url("/bahasa/en?ke=%2Fpeserta%2Fimpor")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let csv = [
        HEADER,
        "Baris Baik;3573014101800009;081311119999;;Kotalama;Ketua\r\n", // 2: fine
        "NIK Kembar;3573014101800009;081311110015;;Kotalama;Ketua\r\n", // 3: NIK repeats line 2
        "Kelurahan Lain;3573014101800013;081311110013;;Atlantis;Ketua\r\n", // 4: unknown village
    ]
    .concat();
    let html = upload(&app, &client, "salah.csv", csv.into_bytes()).await;
    let errors = row_errors(&html);
    assert!(errors.iter().any(|(l, f, m)| *l == 3 && f == "nik" && m == "Same as row 2 of this file"), "{errors:?}");
    assert!(
        errors.iter().any(|(l, f, m)| *l == 4 && f == "kelurahan" && m == "Kelurahan `Atlantis` is not in your region"),
        "{errors:?}"
    );
    assert!(!html.contains("Sama dengan baris"), "{html}");
    let html = upload(&app, &client, "a.pdf", b"%PDF-1.4".to_vec()).await;
    assert!(html.contains("Unknown file type: upload a .csv or .xlsx file"), "{html}");
});

db_test!(an_xlsx_file_with_numbers_for_nik_and_phone_imports, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let before = people(&app).await;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Nama", "NIK", "No HP", "Kelurahan", "Kecamatan", "Jabatan"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Dewi Lestari").unwrap();
    sheet.write_number(1, 1, 3573016505850003.0).unwrap();
    sheet.write_number(1, 2, 81311110003.0).unwrap();
    sheet.write_string(1, 3, "Klojen").unwrap();
    sheet.write_string(1, 4, "Klojen").unwrap();
    sheet.write_string(1, 5, "sekretaris").unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let html = upload(&app, &client, "peserta.xlsx", bytes).await;
    assert!(html.contains("Berhasil: 1 peserta"), "{html}");
    assert_eq!(people(&app).await, before + 1);
    let p = person::Entity::find()
        .all(app.state.db.read())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.full_name == "Dewi Lestari")
        .unwrap();
    assert_eq!((p.nik.as_deref(), p.phone.as_deref()), (Some("3573016505850003"), Some("+6281311110003")));
});

db_test!(only_panitia_and_admin_may_import, |app| {
    app.seed_demo().await;
    let peserta = app.browser();
    app.sign_in(&peserta, "081234560001", "demo-peserta-kkmp").await;
    let part = reqwest::multipart::Part::bytes(HEADER.as_bytes().to_vec()).file_name("a.csv");
    let r = peserta
        .post(app.url("/unggah/peserta"))
        .multipart(reqwest::multipart::Form::new().part("berkas", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let anonymous = app.browser();
    let part = reqwest::multipart::Part::bytes(HEADER.as_bytes().to_vec()).file_name("a.csv");
    let r = anonymous
        .post(app.url("/unggah/peserta"))
        .multipart(reqwest::multipart::Form::new().part("berkas", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
});

db_test!(the_exported_list_neutralises_formulas_and_masks_the_nik, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let csv = format!("{HEADER}=HYPERLINK(\"http://jahat.test\");3573014101800031;081311110031;;Kotalama;Ketua\r\n");
    assert!(upload(&app, &client, "rumus.csv", csv.into_bytes()).await.contains("Berhasil: 1"));
    let r = client.get(app.url("/peserta/ekspor.csv?q=hyperlink")).send().await.unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
    let body = r.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
    let line = body.lines().nth(1).unwrap();
    assert!(line.starts_with("\"'=HYPERLINK("), "{line}");
    assert!(line.contains("3573••••••••0031") && !line.contains("3573014101800031"), "{line}");
    let peserta = app.browser();
    app.sign_in(&peserta, "081234560001", "demo-peserta-kkmp").await;
    assert_eq!(peserta.get(app.url("/peserta/ekspor.csv")).send().await.unwrap().status().as_u16(), 403);
});

db_test!(a_nik_registered_in_another_region_is_only_said_to_be_unusable_and_the_try_is_logged, |app| {
    use domain::entities::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    app.seed_demo().await;
    // Someone in Kabupaten Malang, outside the Kota Malang panitia's region.
    crate::helpers::kabupaten_malang(&app).await;
    let client = panitia(&app).await;
    let elsewhere = format!("{HEADER}Budi;3507010101900001;081311110031;;Kotalama;Ketua\r\n");
    let report = upload(&app, &client, "lain.csv", elsewhere.into_bytes()).await;
    assert!(report.contains("NIK ini tidak dapat dipakai"), "{report}");
    assert!(!report.contains("sudah terdaftar"), "nothing says the NIK exists: {report}");
    let logged = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("people.duplicate_elsewhere"))
        .count(app.state.db.read())
        .await
        .unwrap();
    assert_eq!(logged, 1);
    // Inside the panitia's own region the report may say it plainly.
    let own = format!("{HEADER}Budi;3573014101800031;081311110031;;Kotalama;Ketua\r\n");
    assert!(upload(&app, &client, "a.csv", own.clone().into_bytes()).await.contains("Berhasil: 1"));
    let again = own.replace("081311110031", "081311110032");
    assert!(upload(&app, &client, "b.csv", again.into_bytes()).await.contains("NIK ini sudah terdaftar"));
});

db_test!(the_exported_list_carries_each_persons_email, |app| {
    app.seed_demo().await;
    let client = panitia(&app).await;
    let csv = format!("{HEADER}Surelwati;3573014101800032;;surelwati@contoh.test;Kotalama;Ketua\r\n");
    assert!(upload(&app, &client, "surel.csv", csv.into_bytes()).await.contains("Berhasil: 1"));
    let body = client.get(app.url("/peserta/ekspor.csv?q=surelwati")).send().await.unwrap().text().await.unwrap();
    let line = body.lines().nth(1).unwrap();
    assert!(line.contains("surelwati@contoh.test"), "{line}");
});
