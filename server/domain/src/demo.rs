//! Demo data for a newcomer's laptop: Diskopindag Kota Malang's diklat of October 2025 with
//! 114 participants (a pengurus and a pengawas from each of the 57 KKMP), and one account per
//! staff role. Seeded only into an empty database and only when asked (`diklat serve --demo`).

use crate::{
    entities::{
        account, attendance, cooperative, diklat, diklat_session, district, enrolment, module, narasumber, person,
        regency, role_grant, village,
    },
    password,
    services::audit,
    AppError,
};
use chrono::{Duration, NaiveDate, NaiveTime};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use types::{Jabatan, Role};

/// A demo sign-in, printed at start and listed in the README.
pub struct DemoLogin {
    pub role: Role,
    pub login: &'static str,
    pub password: &'static str,
    pub name: &'static str,
}

pub const LOGINS: &[DemoLogin] = &[
    DemoLogin {
        role: Role::Admin,
        login: "admin@demo.diklat-kkmp.test",
        password: "demo-admin-kkmp",
        name: "Admin Sistem",
    },
    DemoLogin {
        role: Role::Panitia,
        login: "panitia@demo.diklat-kkmp.test",
        password: "demo-panitia-kkmp",
        name: "Rina Kusumawati",
    },
    DemoLogin {
        role: Role::Pejabat,
        login: "pejabat@demo.diklat-kkmp.test",
        password: "demo-pejabat-kkmp",
        name: "Bambang Setiadi",
    },
    DemoLogin { role: Role::Peserta, login: "081234560001", password: "demo-peserta-kkmp", name: "(peserta pertama)" },
];

pub const DIKLAT_CODE: &str = "MLG-2025-01";
pub const DIKLAT_NAME: &str = "Diklat Peningkatan dan Pengembangan SDM Pengurus dan Pengawas KKMP Kota Malang";
/// A second, current angkatan: it runs from the day before the demo is seeded to the day after, so
/// the schedule and self check-in can be tried at once. The demo peserta joined it late (at
/// seeding): both tests of yesterday's modules are open to them whatever the hour.
pub const CURRENT_CODE: &str = "MLG-DEMO-02";

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Seeded {
        participants: usize,
    },
    /// The database already holds people: nothing was written.
    SkippedNotEmpty,
}

const MALE: &[&str] = &[
    "Agus", "Budi", "Slamet", "Joko", "Heru", "Wahyu", "Sugeng", "Eko", "Hadi", "Rudi", "Yusuf", "Arif", "Imam",
    "Ahmad", "Rizky", "Fajar", "Teguh", "Dimas", "Hendra", "Bayu",
];
const FEMALE: &[&str] = &[
    "Siti", "Sri", "Dewi", "Rina", "Endang", "Yuni", "Wulan", "Ratna", "Indah", "Ani", "Kartika", "Fitri", "Dian",
    "Nurul", "Lilis", "Puji", "Tutik", "Erna", "Nanik", "Mega",
];
const FAMILY: &[&str] = &[
    "Santoso",
    "Wibowo",
    "Prasetyo",
    "Hidayat",
    "Setiawan",
    "Susanto",
    "Purnomo",
    "Rahayu",
    "Wahyuni",
    "Kusuma",
    "Saputra",
    "Lestari",
    "Handayani",
    "Nugroho",
    "Kurniawan",
    "Utomo",
    "Hartono",
    "Firmansyah",
    "Maulana",
    "Suryani",
    "Anggraini",
    "Syahputra",
    "Rachman",
    "Wijaya",
];
/// Jabatan of the two participants per KKMP, varied across kelurahan.
const PAIRS: &[(Jabatan, Jabatan)] = &[
    (Jabatan::Ketua, Jabatan::KetuaPengawas),
    (Jabatan::Sekretaris, Jabatan::AnggotaPengawas),
    (Jabatan::Bendahara, Jabatan::KetuaPengawas),
    (Jabatan::WakilKetua, Jabatan::AnggotaPengawas),
];

/// Seeds the demo into an empty database, all or nothing.
pub async fn seed<C: TransactionTrait + ConnectionTrait>(db: &C) -> Result<Outcome, AppError> {
    if person::Entity::find().count(db).await? > 0 {
        return Ok(Outcome::SkippedNotEmpty);
    }
    // Hash before the transaction: the SQLite writer is held as briefly as possible.
    let hashes: Vec<String> =
        tokio::task::spawn_blocking(|| LOGINS.iter().map(|l| password::hash(l.password)).collect())
            .await
            .map_err(|e| AppError::Internal(format!("hashing demo passwords: {e}")))?;

    let txn = db.begin().await?;
    let now = chrono::Utc::now();
    let malang = regency::Entity::find()
        .filter(regency::Column::Code.eq("3573"))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::Internal("reference data for Kota Malang is missing".into()))?;

    // Staff: admin (national), panitia and pejabat scoped to Kota Malang.
    let mut staff_accounts = Vec::new();
    for (login, hash) in LOGINS.iter().zip(&hashes).filter(|(l, _)| l.role != Role::Peserta) {
        let regency_id = (login.role != Role::Admin).then_some(malang.id);
        let staff = Staff {
            name: login.name,
            email: login.login,
            password_hash: hash,
            role: login.role,
            province_id: None,
            regency_id,
        };
        let a = staff_account(&txn, staff, now).await?;
        staff_accounts.push((login.role, a.id));
    }
    let panitia_id = staff_accounts.iter().find(|(r, _)| *r == Role::Panitia).map(|(_, id)| *id);

    let d = diklat::ActiveModel {
        code: Set(DIKLAT_CODE.into()),
        name: Set(DIKLAT_NAME.into()),
        description: Set(Some(
            "Diklat tiga hari bagi pengurus dan pengawas Koperasi Kelurahan Merah Putih se-Kota Malang: \
             pengembangan usaha, literasi keuangan, akses permodalan melalui BPR dan perbankan, serta \
             penguatan kelembagaan dan legalitas koperasi."
                .into(),
        )),
        venue: Set("Malang Creative Center".into()),
        starts_on: Set(NaiveDate::from_ymd_opt(2025, 10, 13).expect("valid date")),
        ends_on: Set(NaiveDate::from_ymd_opt(2025, 10, 15).expect("valid date")),
        total_jp: Set(30),
        status: Set(types::DiklatStatus::Finished),
        province_id: Set(Some(malang.province_id)),
        regency_id: Set(Some(malang.id)),
        min_attendance_pct: Set(80),
        require_pretests: Set(false),
        certificate_prefix: Set("KKMP-MLG".into()),
        next_certificate_seq: Set(1),
        created_by: Set(panitia_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;

    // Participants: two per KKMP, in kecamatan then kelurahan order.
    let districts = district::Entity::find()
        .filter(district::Column::RegencyId.eq(malang.id))
        .order_by_asc(district::Column::Code)
        .all(&txn)
        .await?;
    let mut n = 0usize;
    let mut people = Vec::new();
    let enrolled_at = crate::services::schedule::wib_instant(
        NaiveDate::from_ymd_opt(2025, 10, 1).expect("valid date"),
        NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
    );
    for (di, dist) in districts.iter().enumerate() {
        let villages = village::Entity::find()
            .filter(village::Column::DistrictId.eq(dist.id))
            .order_by_asc(village::Column::Code)
            .all(&txn)
            .await?;
        for v in villages {
            let coop = cooperative::Entity::find()
                .filter(cooperative::Column::VillageId.eq(v.id))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::Internal(format!("kelurahan {} has no KKMP", v.name)))?;
            let (pengurus, pengawas) = PAIRS[n / 2 % PAIRS.len()];
            for position in [pengurus, pengawas] {
                let person = demo_person(n, di + 1, coop.id, position, now).insert(&txn).await?;
                let hash = (n == 0).then(|| hashes[LOGINS.len() - 1].clone());
                let a = new_account(&txn, person.id, hash, now).await?;
                grant(&txn, a.id, Role::Peserta, None, now).await?;
                enrolment::ActiveModel {
                    diklat_id: Set(d.id),
                    person_id: Set(person.id),
                    status: Set(types::EnrolmentStatus::Enrolled),
                    enrolled_by: Set(panitia_id),
                    enrolled_at: Set(enrolled_at),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                people.push(person.id);
                n += 1;
            }
        }
    }
    seed_schedule(&txn, &d, &malang, &people, panitia_id, now).await?;
    audit::record(
        &txn,
        None,
        "demo.seed",
        "diklat",
        Some(d.id.to_string()),
        Some(serde_json::json!({ "participants": n })),
    )
    .await?;
    txn.commit().await?;
    Ok(Outcome::Seeded { participants: n })
}

async fn new_account<C: ConnectionTrait>(
    db: &C,
    person_id: i32,
    password_hash: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<account::Model, AppError> {
    Ok(account::ActiveModel {
        person_id: Set(person_id),
        password_changed_at: Set(password_hash.as_ref().map(|_| now)),
        password_hash: Set(password_hash),
        is_active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

async fn grant<C: ConnectionTrait>(
    db: &C,
    account_id: i32,
    role: Role,
    regency_id: Option<i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    role_grant::ActiveModel {
        account_id: Set(account_id),
        role: Set(role),
        regency_id: Set(regency_id),
        granted_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A staff member to create: signs in with `email`; holds `role` over a province or a kab/kota,
/// or everywhere when neither is given.
pub struct Staff<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub province_id: Option<i32>,
    pub regency_id: Option<i32>,
}

/// A staff member's person (jabatan staf), account and role grant. The demo, the benchmark
/// dataset, the examples and the tests all make their staff here.
pub async fn staff_account<C: ConnectionTrait>(
    db: &C,
    staff: Staff<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<account::Model, AppError> {
    let p = person::ActiveModel {
        full_name: Set(staff.name.to_string()),
        email: Set(Some(staff.email.to_string())),
        position: Set(Some(Jabatan::Staf)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let a = new_account(db, p.id, Some(staff.password_hash.to_string()), now).await?;
    role_grant::ActiveModel {
        account_id: Set(a.id),
        role: Set(staff.role),
        province_id: Set(staff.province_id),
        regency_id: Set(staff.regency_id),
        granted_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(a)
}

/// The n-th demo participant: a plausible name, a NIK of Kota Malang (3573…), a phone number.
fn demo_person(
    n: usize,
    district_no: usize,
    cooperative_id: i32,
    position: Jabatan,
    now: chrono::DateTime<chrono::Utc>,
) -> person::ActiveModel {
    let female = (n * 7 + 3) % 5 < 2;
    let given = if female { FEMALE[(n * 3) % FEMALE.len()] } else { MALE[(n * 3) % MALE.len()] };
    let family = FAMILY[(n * 5 + n / FAMILY.len()) % FAMILY.len()];
    // NIK: 35 (Jawa Timur) 73 (Kota Malang) + kecamatan + birth date (day + 40 for women) + serial.
    let day = 1 + (n * 11) % 28;
    let month = 1 + (n * 5) % 12;
    let year = 60 + (n * 13) % 40;
    let nik =
        format!("3573{:02}{:02}{:02}{:02}{:04}", district_no, if female { day + 40 } else { day }, month, year, n + 1);
    person::ActiveModel {
        full_name: Set(format!("{given} {family}")),
        nik: Set(Some(nik)),
        phone: Set(Some(format!("+628123456{:04}", n + 1))),
        cooperative_id: Set(Some(cooperative_id)),
        position: Set(Some(position)),
        gender: Set(Some(if female { "P" } else { "L" }.into())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// (day, start, end, title, module slug, room, JP, speaker index)
type DemoSession =
    (i64, &'static str, &'static str, &'static str, Option<&'static str>, &'static str, i32, Option<usize>);

const SPEAKERS: &[(&str, &str)] = &[
    ("Dra. Sri Wahyuni, M.M.", "Diskopindag Kota Malang"),
    ("Ir. Hendra Gunawan", "Konsultan Pengembangan Usaha"),
    ("Dewi Lestari, S.E., Ak.", "Praktisi Akuntansi Koperasi"),
    ("Bagus Prasetyo, S.E.", "PT BPR Tugu Artha Sejahtera (praktisi BPR)"),
    ("Rizal Fahmi, S.H., M.Kn.", "Notaris Pembuat Akta Koperasi"),
];

const DAYS: &[DemoSession] = &[
    (0, "08:00", "09:00", "Pembukaan dan kebijakan KKMP", None, "Aula Utama", 1, Some(0)),
    (0, "09:00", "12:00", "Pengembangan usaha KKMP", Some("pengembangan-usaha"), "Aula Utama", 4, Some(1)),
    (0, "13:00", "16:00", "Literasi keuangan koperasi", Some("literasi-keuangan"), "Aula Utama", 4, Some(2)),
    (
        1,
        "08:00",
        "11:00",
        "Akses permodalan melalui BPR dan perbankan",
        Some("akses-permodalan"),
        "Aula Utama",
        4,
        Some(3),
    ),
    (
        1,
        "13:00",
        "16:00",
        "Kelembagaan dan legalitas koperasi",
        Some("kelembagaan-legalitas"),
        "Aula Utama",
        4,
        Some(4),
    ),
    (2, "08:00", "11:00", "Tata kelola dan pengawasan", Some("tata-kelola-pengawasan"), "Aula Utama", 4, Some(0)),
    (2, "13:00", "15:00", "Rencana tindak lanjut dan penutupan", None, "Aula Utama", 2, Some(0)),
];

/// Sessions for the October diklat (with attendance as it was marked) and a current angkatan.
async fn seed_schedule<C: ConnectionTrait>(
    db: &C,
    first: &diklat::Model,
    malang: &regency::Model,
    people: &[i32],
    panitia_id: Option<i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let mut speakers = Vec::new();
    for (name, institution) in SPEAKERS {
        let n = narasumber::ActiveModel {
            name: Set(name.to_string()),
            institution: Set(institution.to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        speakers.push(n.id);
    }
    let modules: std::collections::HashMap<String, i32> =
        module::Entity::find().all(db).await?.into_iter().map(|m| (m.slug, m.id)).collect();
    let today = crate::services::schedule::today_wib(now);
    let current = diklat::ActiveModel {
        code: Set(CURRENT_CODE.into()),
        name: Set(format!("{DIKLAT_NAME} — Angkatan II (demo)")),
        description: Set(Some(
            "Angkatan contoh yang berlangsung mulai hari ini, untuk mencoba jadwal dan presensi mandiri.".into(),
        )),
        venue: Set("Malang Creative Center".into()),
        starts_on: Set(today - Duration::days(1)),
        ends_on: Set(today + Duration::days(1)),
        total_jp: Set(23),
        status: Set(types::DiklatStatus::Running),
        province_id: Set(Some(malang.province_id)),
        regency_id: Set(Some(malang.id)),
        min_attendance_pct: Set(80),
        require_pretests: Set(false),
        certificate_prefix: Set("KKMP-MLG-II".into()),
        next_certificate_seq: Set(1),
        created_by: Set(panitia_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // Everyone enrolled two days ago but the demo peserta (the first), who joined just now.
    let enrolled_at = |k: usize| if k == 0 { now } else { now - Duration::days(2) };
    for (c, chunk) in people.chunks(500).enumerate() {
        enrolment::Entity::insert_many(chunk.iter().enumerate().map(|(k, &p)| enrolment::ActiveModel {
            diklat_id: Set(current.id),
            person_id: Set(p),
            status: Set(types::EnrolmentStatus::Enrolled),
            enrolled_by: Set(panitia_id),
            enrolled_at: Set(enrolled_at(c * 500 + k)),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    for (diklat, start, mark) in [(first, first.starts_on, true), (&current, current.starts_on, false)] {
        for (i, (day, from, to, title, slug, room, jp, speaker)) in DAYS.iter().enumerate() {
            let time = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").expect("valid demo time");
            let room = if mark { room.to_string() } else { format!("{room} 2") };
            let s = diklat_session::ActiveModel {
                diklat_id: Set(diklat.id),
                session_date: Set(start + Duration::days(*day)),
                starts_at: Set(time(from)),
                ends_at: Set(time(to)),
                title: Set(title.to_string()),
                module_id: Set(slug.and_then(|s| modules.get(s).copied())),
                narasumber_id: Set(speaker.map(|k| speakers[k])),
                room: Set(room),
                jp: Set(*jp),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            if !mark {
                continue;
            }
            // The October marks: mostly present, a few late, on leave, sick or absent.
            let marked_at = crate::services::schedule::wib_instant(s.session_date, s.starts_at);
            let rows = people.iter().enumerate().map(|(k, &p)| {
                use types::Attendance::*;
                let status = match (k * 7 + i * 3) % 40 {
                    0 | 1 => Terlambat,
                    2 => Izin,
                    3 => Sakit,
                    4 if k % 3 == 0 => Alpa,
                    _ => Hadir,
                };
                attendance::ActiveModel {
                    diklat_session_id: Set(s.id),
                    person_id: Set(p),
                    status: Set(status),
                    note: Set(None),
                    reason: Set(match status {
                        Izin => Some("Urusan keluarga".into()),
                        Sakit => Some("Sakit, surat dokter menyusul".into()),
                        _ => None,
                    }),
                    source: Set(types::MarkSource::Paper),
                    marked_by: Set(panitia_id),
                    marked_at: Set(marked_at),
                    version: Set(1),
                    ..Default::default()
                }
            });
            attendance::Entity::insert_many(rows).exec_without_returning(db).await?;
        }
    }
    Ok(())
}

/// Everyone enrolled in `d`, by person id (the first is the demo peserta).
async fn enrolled_ids<C: ConnectionTrait>(db: &C, d: &diklat::Model) -> Result<Vec<i32>, AppError> {
    let mut people: Vec<i32> = enrolment::Entity::find()
        .filter(enrolment::Column::DiklatId.eq(d.id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.person_id)
        .collect();
    people.sort_unstable();
    Ok(people)
}

/// The October angkatan's test results, for a demo with certificates to show: every participant
/// but the demo peserta (who takes the tests themselves) took each module's pre-test and
/// post-test; a few failed one post-test. Start-up then issues the certificates of whoever meets
/// the rule (the periodic issue only looks back 30 days). Only `--demo` runs this; the tests
/// build their own results.
pub async fn seed_results<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    modules: &[(i32, String)],
) -> Result<usize, AppError> {
    use crate::{
        entities::attempt,
        services::quizzes::{current_bank, quiz_of, scored_attempt, Phase},
    };
    let txn = db.begin().await?;
    let d = crate::services::schedule::by_code(&txn, DIKLAT_CODE).await?;
    // Results only for the modules the October diklat taught, taken for it, inside its window.
    let taught = crate::services::windows::modules_of(&txn, &d).await?;
    let modules: Vec<(i32, String)> = modules.iter().filter(|(id, _)| taught.contains(id)).cloned().collect();
    let modules = &modules;
    let people = enrolled_ids(&txn, &d).await?;
    let at = |day: i64, hour: u32| {
        crate::services::schedule::wib_instant(
            d.starts_on + Duration::days(day),
            NaiveTime::from_hms_opt(hour, 0, 0).expect("valid time"),
        )
    };
    let mut rows = Vec::new();
    for (m, (module_id, _)) in modules.iter().enumerate() {
        let bank = current_bank(&txn, *module_id).await?;
        for phase in [Phase::Pre, Phase::Post] {
            let q = quiz_of(&txn, *module_id, phase).await?;
            // The first participant is the demo peserta.
            for (k, &person_id) in people.iter().enumerate().skip(1) {
                let pre = 35.0 + ((k * 17 + m * 11) % 40) as f64;
                let score = match phase {
                    Phase::Pre => pre,
                    Phase::Post if (k + m) % 23 == 0 => 60.0,
                    Phase::Post => 70.0 + ((k * 13 + m * 7) % 31) as f64,
                };
                let (started, submitted) = if phase == Phase::Pre {
                    (at(0, 8), at(0, 8) + Duration::minutes(20))
                } else {
                    (at(2, 14), at(2, 14) + Duration::minutes(25))
                };
                rows.push(scored_attempt(&q, person_id, bank.bank_id, score, (started, submitted), Some(d.id)));
            }
        }
    }
    let count = rows.len();
    for chunk in rows.chunks(500) {
        attempt::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    crate::services::stale::mark_all_stale(&txn).await?;
    txn.commit().await?;
    Ok(count)
}

/// The October angkatan's evaluations, for a report to try at once: both forms asked for (not
/// required: its certificates were issued before), answered by most participants who attended,
/// with a spread of ratings (the venue's meals rated lower, one speaker lower than the others)
/// and a few suggestions. Only `--demo` runs this, with the content's forms; the demo peserta
/// (the first participant) is left to fill theirs in.
pub async fn seed_evaluations<C: TransactionTrait + ConnectionTrait>(
    db: &C,
    forms: &[crate::evaluation::Form],
) -> Result<usize, AppError> {
    use crate::entities::{evaluation_answer, evaluation_responder, evaluation_setting};
    use crate::evaluation::{Kind, Scope};
    const SUGGESTIONS: &[&str] = &[
        "Materi akses permodalan perlu contoh perhitungan angsuran BPR.",
        "Waktu diskusi ditambah, terutama untuk laporan keuangan koperasi.",
        "Konsumsi siang datang terlambat pada hari kedua.",
        "Modul dibagikan sebelum diklat agar bisa dibaca lebih dulu.",
        "Ruangan terlalu dingin; mohon pengaturan pendingin ruangan.",
        "Perlu sesi praktik menyusun rencana usaha KKMP.",
    ];
    let txn = db.begin().await?;
    let d = crate::services::schedule::by_code(&txn, DIKLAT_CODE).await?;
    let chosen: Vec<String> = forms.iter().map(crate::services::evaluation::setting_entry).collect();
    evaluation_setting::ActiveModel { diklat_id: Set(d.id), forms: Set(chosen.join(",")), required: Set(false) }
        .insert(&txn)
        .await?;
    let people = enrolled_ids(&txn, &d).await?;
    let sessions = diklat_session::Entity::find()
        .filter(diklat_session::Column::DiklatId.eq(d.id))
        .order_by_asc(diklat_session::Column::Id)
        .all(&txn)
        .await?;
    let attended: std::collections::HashSet<(i32, i32)> = attendance::Entity::find()
        .filter(attendance::Column::DiklatSessionId.is_in(sessions.iter().map(|s| s.id)))
        .all(&txn)
        .await?
        .into_iter()
        .filter(|a| matches!(a.status, types::Attendance::Hadir | types::Attendance::Terlambat))
        .map(|a| (a.person_id, a.diklat_session_id))
        .collect();
    // A rating for answer `k`, question `q`, leaning to `base` (3 = Baik): spread over 1–4.
    let rate = |k: usize, q: usize, base: i32| -> String {
        let r = base
            + match (k * 7 + q * 5) % 10 {
                0 => -2,
                1 | 2 => -1,
                3..=6 => 0,
                _ => 1,
            };
        r.clamp(1, 4).to_string()
    };
    let mut responders = Vec::new();
    let mut answers = Vec::new();
    let mut answer = |form: &crate::evaluation::Form,
                      session: Option<&diklat_session::Model>,
                      k: usize,
                      base: &dyn Fn(&str) -> i32| {
        let session_id = session.map_or(0, |s| s.id);
        let mut a = std::collections::BTreeMap::new();
        for (q, question) in form.questions.iter().enumerate() {
            match question.kind {
                Kind::Scale => {
                    a.insert(question.id.clone(), rate(k, q, base(&question.id)));
                }
                Kind::Text if k.is_multiple_of(9) => {
                    a.insert(
                        question.id.clone(),
                        SUGGESTIONS[(k / 9 + session_id as usize) % SUGGESTIONS.len()].to_string(),
                    );
                }
                Kind::Text => {}
            }
        }
        answers.push(evaluation_answer::ActiveModel {
            id: Set(crate::services::evaluation::answer_id()),
            diklat_id: Set(d.id),
            form_id: Set(form.id.clone()),
            form_version: Set(form.version as i32),
            session_id: Set(session_id),
            narasumber_id: Set(session.and_then(|s| s.narasumber_id)),
            // Sent in October, before the evaluation closed.
            late: Set(false),
            answers: Set(serde_json::to_string(&a).unwrap_or_default()),
        });
    };
    // Everyone but the demo peserta; one in eight did not answer.
    for (k, &p) in people.iter().enumerate().skip(1).filter(|(k, _)| k % 8 != 5) {
        for form in forms {
            match form.scope {
                Scope::Diklat => {
                    answer(form, None, k, &|q| if q == "konsumsi" { 2 } else { 3 });
                    responders.push((p, form.id.clone(), 0));
                }
                Scope::Session => {
                    for (i, s) in sessions.iter().enumerate().filter(|(_, s)| s.narasumber_id.is_some()) {
                        if attended.contains(&(p, s.id)) {
                            let base =
                                if s.narasumber_id == sessions.iter().find_map(|s| s.narasumber_id) { 2 } else { 3 };
                            answer(form, Some(s), k + i, &|_| base);
                            responders.push((p, form.id.clone(), s.id));
                        }
                    }
                }
            }
        }
    }
    let count = answers.len();
    for chunk in answers.chunks(500) {
        evaluation_answer::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let rows: Vec<evaluation_responder::ActiveModel> = responders
        .into_iter()
        .map(|(p, f, s)| evaluation_responder::ActiveModel {
            person_id: Set(p),
            diklat_id: Set(d.id),
            form_id: Set(f),
            session_id: Set(s),
        })
        .collect();
    for chunk in rows.chunks(500) {
        evaluation_responder::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(count)
}
