//! Every string the UI shows, in Bahasa Indonesia (the default) and English, in one place.
//! A missing translation is a compile error: both languages fill the same struct.

use serde::{Deserialize, Serialize};

/// The cookie that remembers the visitor's language.
pub const COOKIE: &str = "lang";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// Reads the language from a `Cookie:` header value; Indonesian when absent.
    pub fn from_cookie_header(header: &str) -> Lang {
        header
            .split(';')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == COOKIE)
            .and_then(|(_, v)| Lang::from_code(v.trim()))
            .unwrap_or_default()
    }

    /// For page-specific text: the Indonesian or the English of it.
    pub fn pick(self, id: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// What a typed value (a jabatan, a status, a role, …) reads as in this language.
    pub fn label(self, value: impl types::Labelled) -> &'static str {
        let (id, en) = value.labels();
        self.pick(id, en)
    }

    pub fn t(self) -> &'static Strings {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }
}

/// Only same-site paths may be redirect targets (no `//host`, no scheme).
pub fn is_local_path(p: &str) -> bool {
    p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') && !p.chars().any(char::is_control)
}

pub use types::encode_component;

pub struct Strings {
    pub lang_name: &'static str,
    pub switch_to: &'static str,
    pub site_name: &'static str,
    pub site_owner: &'static str,
    pub skip_to_content: &'static str,
    pub menu: &'static str,
    pub nav_home: &'static str,
    pub nav_regions: &'static str,
    pub footer_about: &'static str,
    pub footer_legal: &'static str,
    pub loading: &'static str,
    pub home_title: &'static str,
    pub home_lead: &'static str,
    pub home_for_peserta: &'static str,
    pub home_for_peserta_text: &'static str,
    pub home_for_panitia: &'static str,
    pub home_for_panitia_text: &'static str,
    pub home_for_pejabat: &'static str,
    pub home_for_pejabat_text: &'static str,
    pub home_modules_title: &'static str,
    pub home_modules_empty: &'static str,
    pub jp: &'static str,
    pub home_regions_link: &'static str,
    pub regions_title: &'static str,
    pub regions_lead: &'static str,
    pub regions_summary: fn(usize, usize, usize) -> String,
    pub kecamatan: &'static str,
    pub kelurahan: &'static str,
    pub kkmp: &'static str,
    pub code: &'static str,
    pub no_kkmp: &'static str,
    pub not_found_title: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,
    pub error_title: &'static str,
    pub error_text: &'static str,
    pub nav_account: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub login_title: &'static str,
    pub login_lead: &'static str,
    pub login_id_label: &'static str,
    pub login_id_hint: &'static str,
    pub password_label: &'static str,
    pub login_button: &'static str,
    pub login_first_time: &'static str,
    pub already_signed_in: &'static str,
    pub account_title: &'static str,
    pub account_data: &'static str,
    pub f_name: &'static str,
    pub f_nik: &'static str,
    pub f_phone: &'static str,
    pub f_email: &'static str,
    pub f_position: &'static str,
    pub f_kkmp: &'static str,
    pub f_kelurahan: &'static str,
    pub f_kecamatan: &'static str,
    pub f_kota: &'static str,
    pub roles_title: &'static str,
    pub not_set: &'static str,
    pub change_password_title: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub end_other_sessions: &'static str,
    pub password_hint: &'static str,
    pub save_password: &'static str,
    pub nav_people: &'static str,
    pub people_title: &'static str,
    pub people_lead: &'static str,
    pub search_label: &'static str,
    pub all_districts: &'static str,
    pub search_button: &'static str,
    pub account_status: &'static str,
    pub status_active: &'static str,
    pub status_no_password: &'static str,
    pub status_inactive: &'static str,
    pub no_results: &'static str,
    pub prev_page: &'static str,
    pub next_page: &'static str,
    pub people_count: fn(u64, u64, u64) -> String,
    pub import_title: &'static str,
    pub import_lead: &'static str,
    pub import_columns: &'static str,
    pub import_template: &'static str,
    pub import_file_label: &'static str,
    pub import_button: &'static str,
    pub import_busy: &'static str,
    pub import_report: &'static str,
    pub import_line: &'static str,
    pub import_field: &'static str,
    pub import_problem: &'static str,
    pub nav_import: &'static str,
    pub codes_title: &'static str,
    pub codes_once: &'static str,
    pub codes_how: &'static str,
    pub codes_valid_until: &'static str,
    pub codes_print: &'static str,
    pub codes_none: &'static str,
    pub code_col: &'static str,
    pub code_for_one: &'static str,
    pub codes_for_all: &'static str,
    pub codes_reset_note: &'static str,
    pub activate_title: &'static str,
    pub activate_lead: &'static str,
    pub activate_button: &'static str,
    pub save: &'static str,
    pub deactivate: &'static str,
    pub deactivate_hint: &'static str,
    pub deactivate_confirm: &'static str,
    pub reactivate: &'static str,
    pub audit_title: &'static str,
    pub audit_filter: &'static str,
    pub audit_when: &'static str,
    pub audit_who: &'static str,
    pub audit_what: &'static str,
    pub audit_detail: &'static str,
    pub nav_audit: &'static str,
    pub export_csv: &'static str,
    pub roles_admin_title: &'static str,
    pub roles_grant: &'static str,
    pub roles_new_name: &'static str,
    pub roles_scope: &'static str,
    pub roles_staff: &'static str,
    pub roles_revoke: &'static str,
    pub roles_sure: &'static str,
    pub nav_roles: &'static str,
    pub new_person: &'static str,
    pub kecamatan_hint: &'static str,
    pub nav_modules: &'static str,
    pub nav_schedule: &'static str,
    pub nav_checkin: &'static str,
    pub nav_certificates: &'static str,
    pub nav_verify: &'static str,
    pub nav_report: &'static str,
    pub nav_capaian: &'static str,
    pub nav_diklat: &'static str,
    pub modules_title: &'static str,
    pub modules_lead: &'static str,
    pub minutes_read: &'static str,
    pub toc: &'static str,
    pub objectives: &'static str,
    pub sources: &'static str,
    pub version: &'static str,
    pub last_reviewed: &'static str,
    pub progress_mark: &'static str,
    pub progress_done: &'static str,
    pub progress_resume: &'static str,
    pub progress_start: &'static str,
    pub progress_complete: &'static str,
    pub progress_sign_in: &'static str,
    pub progress_failed: &'static str,
    pub progress_label: fn(usize, usize) -> String,
    pub import_ok: fn(usize, &str) -> String,
    pub import_failed: fn(usize, usize, &str) -> String,
}

pub static ID: Strings = Strings {
    lang_name: "Bahasa Indonesia",
    switch_to: "English",
    site_name: "Diklat KKMP",
    site_owner: "Dinas Koperasi, Perindustrian, dan Perdagangan Kota Malang",
    skip_to_content: "Langsung ke isi",
    menu: "Menu",
    nav_home: "Beranda",
    nav_regions: "Wilayah & KKMP",
    footer_about: "Pendidikan dan pelatihan bagi pengurus dan pengawas Koperasi Kelurahan Merah Putih.",
    footer_legal: "Layanan pemerintah. Data pribadi peserta dilindungi dan hanya dipakai untuk penyelenggaraan diklat.",
    loading: "Memuat…",
    home_title: "Diklat Pengurus dan Pengawas Koperasi Kelurahan Merah Putih",
    home_lead: "Belajar modul secara daring, mengikuti pre-test dan post-test, presensi sesi, dan mengunduh sertifikat yang dapat diverifikasi siapa saja.",
    home_for_peserta: "Peserta",
    home_for_peserta_text: "Pengurus dan pengawas KKMP: baca modul dari ponsel, kerjakan tes, presensi, dan unduh sertifikat.",
    home_for_panitia: "Panitia",
    home_for_panitia_text: "Diskopindag: jadwalkan diklat dan sesi, catat kehadiran, terbitkan sertifikat.",
    home_for_pejabat: "Pejabat",
    home_for_pejabat_text: "Wali kota, DPRD, lurah: lihat siapa yang sudah bersertifikat per kecamatan, kelurahan, dan KKMP.",
    home_modules_title: "Modul diklat",
    home_modules_empty: "Belum ada modul.",
    jp: "JP",
    home_regions_link: "Lihat 57 kelurahan dan KKMP di Kota Malang",
    regions_title: "Wilayah dan KKMP",
    regions_lead: "Kecamatan, kelurahan, dan Koperasi Kelurahan Merah Putih yang terdaftar.",
    regions_summary: |d, v, c| format!("{d} kecamatan, {v} kelurahan, {c} KKMP"),
    kecamatan: "Kecamatan",
    kelurahan: "Kelurahan",
    kkmp: "KKMP",
    code: "Kode",
    no_kkmp: "Belum ada KKMP",
    not_found_title: "Halaman tidak ditemukan",
    not_found_text: "Alamat yang Anda buka tidak ada atau sudah dipindahkan.",
    back_home: "Kembali ke beranda",
    error_title: "Terjadi kesalahan",
    error_text: "Maaf, data tidak dapat dimuat. Silakan coba lagi; bila berulang, hubungi panitia.",
    nav_account: "Akun saya",
    sign_in: "Masuk",
    sign_out: "Keluar",
    login_title: "Masuk ke Diklat KKMP",
    login_lead: "Gunakan nomor HP atau email yang didaftarkan panitia.",
    login_id_label: "Nomor HP atau email",
    login_id_hint: "Contoh: 0812 3456 7890",
    password_label: "Kata sandi",
    login_button: "Masuk",
    login_first_time: "Belum punya kata sandi? Minta kode masuk sekali pakai kepada panitia Diskopindag.",
    already_signed_in: "Anda sudah masuk sebagai",
    account_title: "Akun saya",
    account_data: "Data diri",
    f_name: "Nama",
    f_nik: "NIK",
    f_phone: "Nomor HP",
    f_email: "Email",
    f_position: "Jabatan",
    f_kkmp: "Koperasi",
    f_kelurahan: "Kelurahan",
    f_kecamatan: "Kecamatan",
    f_kota: "Kabupaten/Kota",
    roles_title: "Peran",
    not_set: "—",
    change_password_title: "Ubah kata sandi",
    current_password: "Kata sandi saat ini",
    new_password: "Kata sandi baru",
    repeat_password: "Ulangi kata sandi baru",
    end_other_sessions: "Keluarkan akun ini dari perangkat lain",
    password_hint: "Minimal 8 karakter. Kalimat pendek yang mudah Anda ingat lebih aman daripada kata yang umum.",
    save_password: "Simpan kata sandi",
    nav_people: "Peserta",
    people_title: "Data peserta",
    people_lead: "Pengurus dan pengawas KKMP di wilayah Anda.",
    search_label: "Cari nama, NIK, atau nomor HP",
    all_districts: "Semua kecamatan",
    search_button: "Cari",
    account_status: "Akun",
    status_active: "Aktif",
    status_no_password: "Belum aktivasi",
    status_inactive: "Nonaktif",
    no_results: "Tidak ada peserta yang cocok.",
    prev_page: "‹ Sebelumnya",
    next_page: "Berikutnya ›",
    people_count: |from, to, total| format!("{from}–{to} dari {total} peserta"),
    import_title: "Impor peserta",
    import_lead: "Unggah berkas CSV atau XLSX. Setiap baris diperiksa lebih dulu; bila ada satu saja kesalahan, tidak ada data yang disimpan.",
    import_columns: "Kolom: nama, nik, no_hp, email, kelurahan, kecamatan (bila nama kelurahan ganda), jabatan. Judul kolom boleh huruf besar/kecil, bahasa Indonesia atau Inggris; pemisah koma atau titik koma.",
    import_template: "Unduh contoh berkas CSV",
    import_file_label: "Berkas peserta (.csv atau .xlsx, maks. 5 MB)",
    import_button: "Periksa dan impor",
    import_busy: "Sedang memeriksa dan mengimpor… jangan tutup halaman ini.",
    import_report: "Hasil impor",
    import_line: "Baris",
    import_field: "Kolom",
    import_problem: "Masalah",
    nav_import: "Impor",
    codes_title: "Kode masuk sekali pakai",
    codes_once: "Cetak atau kirim sekarang: demi keamanan, kode ini hanya ditampilkan sekali.",
    codes_how: "Peserta membuka alamat di bawah (atau mengetik kode di /aktivasi), mengisi nomor HP dan kode, lalu membuat kata sandi sendiri.",
    codes_valid_until: "Berlaku sampai",
    codes_print: "Cetak",
    codes_none: "Tidak ada kode baru. Buat kode dari halaman Data peserta.",
    code_col: "Kode",
    code_for_one: "Kode masuk",
    codes_for_all: "Buat kode untuk semua yang belum aktivasi (hasil saat ini)",
    codes_reset_note: "atur ulang sandi",
    activate_title: "Aktivasi akun",
    activate_lead: "Masukkan nomor HP (atau email) yang didaftarkan panitia, kode masuk dari panitia, lalu buat kata sandi Anda.",
    activate_button: "Simpan kata sandi dan masuk",
    save: "Simpan",
    deactivate: "Nonaktifkan akun",
    deactivate_hint: "Akun yang dinonaktifkan tidak dapat masuk. Data, presensi, dan sertifikatnya tetap tersimpan; akun dapat diaktifkan kembali.",
    deactivate_confirm: "Saya yakin ingin menonaktifkan akun ini",
    reactivate: "Aktifkan kembali",
    audit_title: "Log audit",
    audit_filter: "Awal nama aksi, mis. auth. atau people.",
    audit_when: "Waktu (WIB)",
    audit_who: "Oleh",
    audit_what: "Aksi",
    audit_detail: "Rincian",
    nav_audit: "Audit",
    export_csv: "Unduh CSV",
    roles_admin_title: "Peran staf",
    roles_grant: "Beri peran",
    roles_new_name: "Nama (bila orang ini belum terdaftar)",
    roles_scope: "Wilayah",
    roles_staff: "Pemegang peran",
    roles_revoke: "Cabut",
    roles_sure: "yakin",
    nav_roles: "Peran",
    new_person: "Tambah peserta",
    kecamatan_hint: "Isi bila nama kelurahan ada di lebih dari satu kecamatan.",
    nav_modules: "Modul",
    nav_schedule: "Jadwal",
    nav_checkin: "Presensi",
    nav_certificates: "Sertifikat",
    nav_verify: "Cek sertifikat",
    nav_report: "Laporan",
    nav_capaian: "Capaian",
    nav_diklat: "Diklat",
    modules_title: "Modul diklat",
    modules_lead: "Bacaan untuk pengurus dan pengawas KKMP. Dapat dibaca dari ponsel, tanpa aplikasi.",
    minutes_read: "menit baca",
    toc: "Daftar isi",
    objectives: "Tujuan pembelajaran",
    sources: "Sumber dan dasar hukum",
    version: "Versi",
    last_reviewed: "ditinjau",
    progress_mark: "Tandai sudah dibaca",
    progress_done: "Sudah dibaca",
    progress_resume: "Lanjutkan membaca",
    progress_start: "Mulai membaca",
    progress_complete: "Modul selesai dibaca",
    progress_sign_in: "Masuk untuk mencatat bagian yang sudah Anda baca.",
    progress_failed: "Belum tersimpan. Periksa sambungan internet, lalu tekan lagi.",
    progress_label: |read, total| format!("{read} dari {total} bagian dibaca"),
    import_ok: |n, f| format!("Berhasil: {n} peserta dari {f} ditambahkan."),
    import_failed: |e, rows, f| format!("Tidak ada yang disimpan: {e} kesalahan pada {rows} baris di {f}. Perbaiki lalu unggah ulang."),
};

pub static EN: Strings = Strings {
    lang_name: "English",
    switch_to: "Bahasa Indonesia",
    site_name: "Diklat KKMP",
    site_owner: "Cooperatives, Industry and Trade Office of Malang City",
    skip_to_content: "Skip to content",
    menu: "Menu",
    nav_home: "Home",
    nav_regions: "Regions & KKMP",
    footer_about: "Training for the boards and supervisors of the Merah Putih Village Cooperatives.",
    footer_legal: "A government service. Participants' personal data is protected and used only to run the training.",
    loading: "Loading…",
    home_title: "Training for the Boards and Supervisors of Merah Putih Village Cooperatives",
    home_lead: "Study the modules online, take the pre-tests and post-tests, check in to sessions, and download a certificate anyone can verify.",
    home_for_peserta: "Participants",
    home_for_peserta_text: "KKMP board members and supervisors: read modules on your phone, take tests, check in, download certificates.",
    home_for_panitia: "Organisers",
    home_for_panitia_text: "Diskopindag: schedule trainings and sessions, record attendance, issue certificates.",
    home_for_pejabat: "Officials",
    home_for_pejabat_text: "Mayor's office, council, lurah: see who is certified per district, village and KKMP.",
    home_modules_title: "Training modules",
    home_modules_empty: "No modules yet.",
    jp: "lesson hours",
    home_regions_link: "See the 57 villages and their KKMP in Malang City",
    regions_title: "Regions and KKMP",
    regions_lead: "Districts, villages and their registered Merah Putih cooperatives.",
    regions_summary: |d, v, c| format!("{d} districts, {v} villages, {c} KKMP"),
    kecamatan: "District (kecamatan)",
    kelurahan: "Village (kelurahan)",
    kkmp: "KKMP",
    code: "Code",
    no_kkmp: "No KKMP yet",
    not_found_title: "Page not found",
    not_found_text: "The address you opened does not exist or has moved.",
    back_home: "Back to home",
    error_title: "Something went wrong",
    error_text: "Sorry, the data could not be loaded. Please try again; if it keeps happening, contact the organisers.",
    nav_account: "My account",
    sign_in: "Sign in",
    sign_out: "Sign out",
    login_title: "Sign in to Diklat KKMP",
    login_lead: "Use the phone number or e-mail the organisers registered.",
    login_id_label: "Phone number or e-mail",
    login_id_hint: "Example: 0812 3456 7890",
    password_label: "Password",
    login_button: "Sign in",
    login_first_time: "No password yet? Ask the Diskopindag organisers for a one-time sign-in code.",
    already_signed_in: "You are signed in as",
    account_title: "My account",
    account_data: "Personal data",
    f_name: "Name",
    f_nik: "NIK (ID number)",
    f_phone: "Phone",
    f_email: "E-mail",
    f_position: "Position",
    f_kkmp: "Cooperative",
    f_kelurahan: "Village",
    f_kecamatan: "District",
    f_kota: "Regency/City",
    roles_title: "Roles",
    not_set: "—",
    change_password_title: "Change password",
    current_password: "Current password",
    new_password: "New password",
    repeat_password: "Repeat the new password",
    end_other_sessions: "Sign this account out on other devices",
    password_hint: "At least 8 characters. A short sentence you remember is safer than a common word.",
    save_password: "Save password",
    nav_people: "Participants",
    people_title: "Participants",
    people_lead: "KKMP board members and supervisors in your region.",
    search_label: "Search name, NIK or phone",
    all_districts: "All districts",
    search_button: "Search",
    account_status: "Account",
    status_active: "Active",
    status_no_password: "Not activated",
    status_inactive: "Deactivated",
    no_results: "No matching participants.",
    prev_page: "‹ Previous",
    next_page: "Next ›",
    people_count: |from, to, total| format!("{from}–{to} of {total} participants"),
    import_title: "Import participants",
    import_lead: "Upload a CSV or XLSX file. Every row is checked first; if any row has an error, nothing is saved.",
    import_columns: "Columns: nama, nik, no_hp, email, kelurahan, kecamatan (when a village name repeats), jabatan. Headers in any case, Indonesian or English; comma or semicolon separated.",
    import_template: "Download a sample CSV",
    import_file_label: "Participant file (.csv or .xlsx, max 5 MB)",
    import_button: "Check and import",
    import_busy: "Checking and importing… please keep this page open.",
    import_report: "Import result",
    import_line: "Line",
    import_field: "Column",
    import_problem: "Problem",
    nav_import: "Import",
    codes_title: "One-time sign-in codes",
    codes_once: "Print or send them now: for safety these codes are shown only once.",
    codes_how: "The participant opens the address below, enters their phone number and the code, then chooses their own password.",
    codes_valid_until: "Valid until",
    codes_print: "Print",
    codes_none: "No new codes. Create them from the Participants page.",
    code_col: "Code",
    code_for_one: "Sign-in code",
    codes_for_all: "Create codes for everyone not yet activated (current results)",
    codes_reset_note: "password reset",
    activate_title: "Activate your account",
    activate_lead: "Enter the phone number (or e-mail) the organisers registered, the code they gave you, and choose your password.",
    activate_button: "Save password and sign in",
    save: "Save",
    deactivate: "Deactivate account",
    deactivate_hint: "A deactivated account cannot sign in. Its data, attendance and certificates are kept; it can be reactivated.",
    deactivate_confirm: "I am sure I want to deactivate this account",
    reactivate: "Reactivate",
    audit_title: "Audit log",
    audit_filter: "Action prefix, e.g. auth. or people.",
    audit_when: "Time (WIB)",
    audit_who: "By",
    audit_what: "Action",
    audit_detail: "Detail",
    nav_audit: "Audit",
    export_csv: "Download CSV",
    roles_admin_title: "Staff roles",
    roles_grant: "Grant a role",
    roles_new_name: "Name (if this person is not registered yet)",
    roles_scope: "Region",
    roles_staff: "Role holders",
    roles_revoke: "Revoke",
    roles_sure: "sure",
    nav_roles: "Roles",
    new_person: "Add a participant",
    kecamatan_hint: "Fill in when the village name exists in more than one district.",
    nav_modules: "Modules",
    nav_schedule: "Schedule",
    nav_checkin: "Check-in",
    nav_certificates: "Certificates",
    nav_verify: "Verify a certificate",
    nav_report: "Reports",
    nav_capaian: "Progress",
    nav_diklat: "Training",
    modules_title: "Training modules",
    modules_lead: "Reading for KKMP board members and supervisors, on any phone, no app needed.",
    minutes_read: "min read",
    toc: "Contents",
    objectives: "Learning objectives",
    sources: "Sources and legal basis",
    version: "Version",
    last_reviewed: "reviewed",
    progress_mark: "Mark as read",
    progress_done: "Read",
    progress_resume: "Continue reading",
    progress_start: "Start reading",
    progress_complete: "Module finished",
    progress_sign_in: "Sign in to keep track of the sections you have read.",
    progress_failed: "Not saved yet. Check your connection, then press again.",
    progress_label: |read, total| format!("{read} of {total} sections read"),
    import_ok: |n, f| format!("Done: {n} participants from {f} added."),
    import_failed: |e, rows, f| format!("Nothing was saved: {e} problems in {rows} rows of {f}. Fix them and upload again."),
};

/// The jabatan a signed certificate names: the label of its code, or the text as it was signed.
pub fn signed_jabatan(signed: &str, lang: Lang) -> String {
    types::Jabatan::from_code(signed).map_or_else(|| signed.to_string(), |j| lang.label(j).to_string())
}

/// Who a module is for.
pub fn audience_label(code: &str, lang: Lang) -> &'static str {
    match (code, lang) {
        ("pengurus", Lang::Id) => "untuk pengurus",
        ("pengurus", Lang::En) => "for board members",
        ("pengawas", Lang::Id) => "untuk pengawas",
        ("pengawas", Lang::En) => "for supervisors",
        (_, Lang::Id) => "untuk pengurus dan pengawas",
        (_, Lang::En) => "for board members and supervisors",
    }
}

/// A number with one decimal: "85,0" in Indonesian, "85.0" in English.
pub fn decimal(v: f64, lang: Lang) -> String {
    let s = format!("{v:.1}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A number with two decimals in the page's language: "82,35" or "82.35".
pub fn decimal2(v: f64, lang: Lang) -> String {
    let s = format!("{v:.2}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A whole number with thousands grouped: "161.210" in Indonesian, "161,210" in English.
pub fn thousands(n: i64, lang: Lang) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// `part` of `whole` as a whole percent, rounded to the nearest ("0" when there is no whole) —
/// but never "100" for less than all nor "0" for more than none: 113 of 114 is 99 %, 1 of 500 is 1 %.
/// (The completion rule compares exact figures; this is only how a report writes them.)
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    let rounded = (part * 200 + whole) / (2 * whole);
    if part < whole {
        rounded.clamp(1, 99)
    } else {
        rounded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percent_is_rounded_but_never_to_all_or_none() {
        assert_eq!(percent(2, 3), 67, "rounded, not floored");
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(113, 114), 99, "not 100 while one is missing");
        assert_eq!(percent(1, 500), 1, "not 0 while one is there");
        assert_eq!(percent(114, 114), 100);
        assert_eq!(percent(0, 114), 0);
        assert_eq!(percent(5, 0), 0);
    }

    #[test]
    fn report_numbers_are_written_the_indonesian_way() {
        assert_eq!(thousands(161_210, Lang::Id), "161.210");
        assert_eq!(thousands(82_780_000, Lang::En), "82,780,000");
        assert_eq!(thousands(57, Lang::Id), "57");
        assert_eq!(decimal(87.5, Lang::Id), "87,5");
        assert_eq!(percent(1, 57), 2, "1.75 % rounds to 2");
        assert_eq!(percent(3, 0), 0);
    }

    #[test]
    fn the_language_cookie_is_read_among_others_and_defaults_to_indonesian() {
        assert_eq!(Lang::from_cookie_header("a=1; lang=en; b=2"), Lang::En);
        assert_eq!(Lang::from_cookie_header("lang=xx"), Lang::Id);
        assert_eq!(Lang::from_cookie_header(""), Lang::Id);
    }

    #[test]
    fn only_same_site_paths_are_redirect_targets() {
        assert!(is_local_path("/wilayah?x=1#a"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\\evil"));
    }
}
