//! A synthetic dataset of national size, for benchmarks (`diklat dataset --scale national`):
//! 38 provinces' kabupaten/kota, kecamatan and desa/kelurahan, one KKMP each (~83,000), ~800,000
//! people with accounts, 8,000 diklat of 100 people with 12 sessions, every attendance mark
//! (~9.6 million), post-tests of five modules and a pre-test (~4.8 million attempts), a signed
//! certificate for everyone who meets the rule (~620,000), and the reports' standings summary.
//!
//! Values are deterministic (a hash of the person and module), so two runs give the same
//! figures. Rows are written with explicit ids in large batches, one transaction per batch.
//! The standings are written directly from the same numbers; a test checks at a small scale
//! that they equal what `report::refresh` computes from the rows.

use crate::{
    entities::{
        account, attempt, attendance, certificate, cooperative, diklat, diklat_session, district, enrolment, person,
        province, regency, standing, standing_grade, village,
    },
    services::{certificates::Payload, quizzes},
    AppError, AppState,
};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, Set, TransactionSession, TransactionTrait};
use types::Jabatan;

/// How big a dataset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    pub provinces: usize,
    pub regencies_per_province: usize,
    pub districts_per_regency: usize,
    pub villages_per_district: usize,
}

impl Scale {
    /// `national` (82,992 KKMP, ~800,000 people), `sample` (a fourteenth of it: one kecamatan
    /// per kabupaten/kota) or `tiny` (for tests).
    pub fn named(name: &str) -> Option<Scale> {
        match name {
            "national" => Some(Scale {
                provinces: 38,
                regencies_per_province: 13,
                districts_per_regency: 14,
                villages_per_district: 12,
            }),
            "sample" => Some(Scale {
                provinces: 38,
                regencies_per_province: 13,
                districts_per_regency: 1,
                villages_per_district: 12,
            }),
            "tiny" => Some(Scale {
                provinces: 2,
                regencies_per_province: 2,
                districts_per_regency: 2,
                villages_per_district: 5,
            }),
            _ => None,
        }
    }

    pub fn villages(self) -> usize {
        self.provinces * self.regencies_per_province * self.districts_per_regency * self.villages_per_district
    }
}

/// The password of every generated account (and of the national pejabat below).
pub const PASSWORD: &str = "sandi-bench-kkmp";
/// A pejabat with a national scope, to read the reports of everything.
pub const PEJABAT_LOGIN: &str = "pejabat@nasional.bench.test";

/// The phone (and sign-in) of generated participant `p` (0-based), stored as sign-in normalises
/// it (E.164), so `0899…` and `+62899…` both sign in.
pub fn participant_phone(p: u64) -> String {
    format!("+62899{p:08}")
}

const PROVINCES: [(&str, &str); 38] = [
    ("11", "Aceh"),
    ("12", "Sumatera Utara"),
    ("13", "Sumatera Barat"),
    ("14", "Riau"),
    ("15", "Jambi"),
    ("16", "Sumatera Selatan"),
    ("17", "Bengkulu"),
    ("18", "Lampung"),
    ("19", "Kepulauan Bangka Belitung"),
    ("21", "Kepulauan Riau"),
    ("31", "DKI Jakarta"),
    ("32", "Jawa Barat"),
    ("33", "Jawa Tengah"),
    ("34", "DI Yogyakarta"),
    ("35", "Jawa Timur"),
    ("36", "Banten"),
    ("51", "Bali"),
    ("52", "Nusa Tenggara Barat"),
    ("53", "Nusa Tenggara Timur"),
    ("61", "Kalimantan Barat"),
    ("62", "Kalimantan Tengah"),
    ("63", "Kalimantan Selatan"),
    ("64", "Kalimantan Timur"),
    ("65", "Kalimantan Utara"),
    ("71", "Sulawesi Utara"),
    ("72", "Sulawesi Tengah"),
    ("73", "Sulawesi Selatan"),
    ("74", "Sulawesi Tenggara"),
    ("75", "Gorontalo"),
    ("76", "Sulawesi Barat"),
    ("81", "Maluku"),
    ("82", "Maluku Utara"),
    ("91", "Papua Barat"),
    ("92", "Papua Barat Daya"),
    ("94", "Papua"),
    ("95", "Papua Selatan"),
    ("96", "Papua Tengah"),
    ("97", "Papua Pegunungan"),
];

/// Positions of a KKMP's people, in order; a KKMP has 9 or 10 of them.
const POSITIONS: [Jabatan; 10] = [
    Jabatan::Ketua,
    Jabatan::Sekretaris,
    Jabatan::Bendahara,
    Jabatan::KetuaPengawas,
    Jabatan::AnggotaPengawas,
    Jabatan::WakilKetua,
    Jabatan::AnggotaPengawas,
    Jabatan::Anggota,
    Jabatan::Staf,
    Jabatan::Anggota,
];
const PEOPLE_PER_DIKLAT: usize = 100;
const SLOTS: [(u32, u32); 4] = [(8, 10), (10, 12), (13, 15), (15, 17)];
const DAYS: usize = 3;

/// A small deterministic hash (splitmix64).
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Sessions person `p` (0-based) missed of the diklat's 12: mostly none, a tenth too many.
fn absences(p: u64) -> usize {
    match mix(p) % 10 {
        0..=6 => 0,
        7 => 1,
        8 => 2,
        _ => 4,
    }
}

/// Post-test grade of person `p` in module `m`: 3 % fail with 55, the rest 70–100.
fn post_grade(p: u64, m: u64) -> f64 {
    let h = mix(p * 16 + m + 1);
    if h % 100 < 3 {
        55.0
    } else {
        70.0 + (h / 100 % 31) as f64
    }
}

fn pre_grade(p: u64) -> f64 {
    40.0 + (mix(p ^ 0xABCD) % 40) as f64
}

/// What was written, and how long it took.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub villages: usize,
    pub people: usize,
    pub diklat: usize,
    pub sessions: usize,
    pub attendance: usize,
    pub attempts: usize,
    pub certificates: usize,
    pub seconds: f64,
}

async fn max_id<C: ConnectionTrait>(db: &C, table: &str) -> Result<i64, AppError> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"),
        ))
        .await?
        .ok_or_else(|| AppError::Internal("max id".into()))?;
    Ok(row.try_get::<i64>("", "m").or_else(|_| row.try_get::<i32>("", "m").map(i64::from))?)
}

/// Rows waiting to be written, flushed together in one transaction.
#[derive(Default)]
struct Batch {
    people: Vec<person::ActiveModel>,
    accounts: Vec<account::ActiveModel>,
    diklat: Vec<diklat::ActiveModel>,
    sessions: Vec<diklat_session::ActiveModel>,
    enrolments: Vec<enrolment::ActiveModel>,
    attendance: Vec<attendance::ActiveModel>,
    attempts: Vec<attempt::ActiveModel>,
    certificates: Vec<certificate::ActiveModel>,
    standings: Vec<standing::ActiveModel>,
    grades: Vec<standing_grade::ActiveModel>,
}

/// Inserts `rows` in statements of `per` rows (under both databases' parameter limits).
async fn insert<C, A>(db: &C, rows: Vec<A>, per: usize) -> Result<(), AppError>
where
    C: ConnectionTrait,
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rest = rows;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(per));
        <A::Entity as EntityTrait>::insert_many(rest).exec_without_returning(db).await?;
        rest = tail;
    }
    Ok(())
}

impl Batch {
    async fn flush<C: ConnectionTrait + TransactionTrait>(&mut self, db: &C) -> Result<(), AppError> {
        let b = std::mem::take(self);
        let txn = db.begin().await?;
        insert(&txn, b.people, 2000).await?;
        insert(&txn, b.accounts, 4000).await?;
        insert(&txn, b.diklat, 1000).await?;
        insert(&txn, b.sessions, 2000).await?;
        insert(&txn, b.enrolments, 4000).await?;
        insert(&txn, b.attendance, 4000).await?;
        insert(&txn, b.attempts, 2500).await?;
        insert(&txn, b.certificates, 1000).await?;
        insert(&txn, b.standings, 1500).await?;
        insert(&txn, b.grades, 5000).await?;
        txn.commit().await?;
        Ok(())
    }
}

/// Writes a dataset of `scale` into `state`'s database, which must hold no people yet.
/// `progress` hears a line now and then.
pub async fn generate(state: &AppState, scale: Scale, progress: impl Fn(&str)) -> Result<Written, AppError> {
    use sea_orm::PaginatorTrait;
    let started = std::time::Instant::now();
    let w = state.db.write();
    if person::Entity::find().count(w).await? > 0 {
        return Err(AppError::invalid(
            "dataset",
            "Basis data sudah berisi data orang; pakai basis data yang kosong.",
            "The database already holds people; use an empty one.",
        ));
    }
    let now = Utc::now();
    let modules = state.quiz_modules();
    let mut quizzes_of = Vec::new();
    for (module_id, title) in &modules {
        let post = quizzes::quiz_of(w, *module_id, quizzes::Phase::Post).await?;
        let pre = quizzes::quiz_of(w, *module_id, quizzes::Phase::Pre).await?;
        let bank = quizzes::current_bank(w, *module_id).await?;
        quizzes_of.push((title.clone(), pre, post, bank.bank_id));
    }

    // Regions and KKMP: (cooperative id, village id, district id, regency id, province id, names).
    struct Kkmp {
        id: i32,
        village_id: i32,
        district_id: i32,
        regency_id: i32,
        province_id: i32,
        name: String,
        village: String,
        district: String,
    }
    let mut kkmp = Vec::with_capacity(scale.villages());
    let (mut pid, mut rid, mut did, mut vid, mut kid) = (
        max_id(w, "provinces").await? as i32,
        max_id(w, "regencies").await? as i32,
        max_id(w, "districts").await? as i32,
        max_id(w, "villages").await? as i32,
        max_id(w, "cooperatives").await? as i32,
    );
    let existing: std::collections::HashMap<String, i32> =
        province::Entity::find().all(w).await?.into_iter().map(|p| (p.code, p.id)).collect();
    let taken_regencies: std::collections::HashSet<String> = regency::Entity::find()
        .select_only()
        .column(regency::Column::Code)
        .into_tuple::<String>()
        .all(w)
        .await?
        .into_iter()
        .collect();
    for (pcode, pname) in PROVINCES.iter().take(scale.provinces) {
        let txn = w.begin().await?;
        let province_id = match existing.get(*pcode) {
            Some(id) => *id,
            None => {
                pid += 1;
                province::Entity::insert(province::ActiveModel {
                    id: Set(pid),
                    code: Set(pcode.to_string()),
                    name: Set(pname.to_string()),
                })
                .exec_without_returning(&txn)
                .await?;
                pid
            }
        };
        let (mut regencies, mut districts, mut villages, mut coops) = (vec![], vec![], vec![], vec![]);
        let mut number = 0;
        for r in 0..scale.regencies_per_province {
            let code = loop {
                number += 1;
                let code = format!("{pcode}{number:02}");
                if !taken_regencies.contains(&code) {
                    break code;
                }
            };
            rid += 1;
            let kind = if r % 4 == 3 { "kota" } else { "kabupaten" };
            let rname = format!("{} {pname} {}", if kind == "kota" { "Kota" } else { "Kabupaten" }, r + 1);
            regencies.push(regency::ActiveModel {
                id: Set(rid),
                province_id: Set(province_id),
                code: Set(code.clone()),
                name: Set(rname),
                kind: Set(kind.into()),
            });
            for d in 0..scale.districts_per_regency {
                did += 1;
                let dcode = format!("{code}{:03}", (d + 1) * 10);
                let dname = format!("Kecamatan {} {}", r + 1, d + 1);
                districts.push(district::ActiveModel {
                    id: Set(did),
                    regency_id: Set(rid),
                    code: Set(dcode.clone()),
                    name: Set(dname.clone()),
                });
                for v in 0..scale.villages_per_district {
                    vid += 1;
                    kid += 1;
                    let vname = format!("Desa {} {} {}", r + 1, d + 1, v + 1);
                    villages.push(village::ActiveModel {
                        id: Set(vid),
                        district_id: Set(did),
                        code: Set(format!("{dcode}{:03}", v + 1)),
                        name: Set(vname.clone()),
                        kind: Set(if kind == "kota" { "kelurahan" } else { "desa" }.into()),
                    });
                    let name = format!("Koperasi Desa Merah Putih {vname}");
                    coops.push(cooperative::ActiveModel {
                        id: Set(kid),
                        village_id: Set(vid),
                        name: Set(name.clone()),
                        registration_number: Set(None),
                        legal_entity_number: Set(None),
                        created_at: Set(now),
                    });
                    kkmp.push(Kkmp {
                        id: kid,
                        village_id: vid,
                        district_id: did,
                        regency_id: rid,
                        province_id,
                        name,
                        village: vname,
                        district: dname.clone(),
                    });
                }
            }
        }
        insert(&txn, regencies, 2000).await?;
        insert(&txn, districts, 2000).await?;
        insert(&txn, villages, 2000).await?;
        insert(&txn, coops, 2000).await?;
        txn.commit().await?;
    }
    progress(&format!("{} KKMP in {} provinces", kkmp.len(), scale.provinces));

    // The national pejabat.
    let password_hash = crate::password::hash(PASSWORD);

    // People, KKMP by KKMP; a diklat for every 100 of them.
    let mut person_id = max_id(w, "people").await? as i32;
    let mut diklat_id = max_id(w, "diklat").await? as i32;
    let mut session_id = max_id(w, "diklat_sessions").await? as i32;
    let first_person = person_id + 1;
    let mut people: Vec<(i32, usize, Jabatan)> = Vec::new(); // (person id, kkmp index, position)
    for (k, _) in kkmp.iter().enumerate() {
        let n = if k % 25 < 16 { 10 } else { 9 };
        for position in POSITIONS.iter().take(n) {
            person_id += 1;
            people.push((person_id, k, *position));
        }
    }
    let mut written = Written { villages: kkmp.len(), people: people.len(), ..Default::default() };
    let mut batch = Batch::default();
    let day0 = NaiveDate::from_ymd_opt(2025, 1, 6).expect("a date");
    for (block_no, block) in people.chunks(PEOPLE_PER_DIKLAT).enumerate() {
        diklat_id += 1;
        let home = &kkmp[block[0].1];
        let starts_on = day0 + Duration::days((block_no % 600) as i64);
        let ends_on = starts_on + Duration::days(DAYS as i64 - 1);
        let prefix = format!("NAS-{diklat_id}");
        let d_name = format!("Diklat Pengurus dan Pengawas KKMP Angkatan {}", block_no + 1);
        let d_code = format!("NAS-{:05}", block_no + 1);
        let venue = format!("Aula {}", home.district);
        let mut eligible_seq = 0;
        let mut sessions = Vec::new();
        for day in 0..DAYS {
            for (from, to) in SLOTS {
                session_id += 1;
                sessions.push(session_id);
                batch.sessions.push(diklat_session::ActiveModel {
                    id: Set(session_id),
                    diklat_id: Set(diklat_id),
                    session_date: Set(starts_on + Duration::days(day as i64)),
                    starts_at: Set(NaiveTime::from_hms_opt(from, 0, 0).expect("a time")),
                    ends_at: Set(NaiveTime::from_hms_opt(to, 0, 0).expect("a time")),
                    title: Set(format!("Sesi {}", sessions.len())),
                    // The sessions teach the modules in turn: the rule requires each one's post-test.
                    module_id: Set(modules.get((sessions.len() - 1) % modules.len().max(1)).map(|(id, _)| *id)),
                    narasumber_id: Set(None),
                    room: Set("Aula".into()),
                    jp: Set(2),
                    created_at: Set(now),
                });
            }
        }
        let enrolled_at = crate::services::schedule::wib_instant(starts_on, NaiveTime::MIN) - Duration::days(14);
        for &(id, k, position) in block {
            let p = (id - first_person) as u64;
            let place = &kkmp[k];
            let name = format!("Peserta {:06}", p + 1);
            let nik = format!("{:02}{:014}", 11 + place.province_id % 80, p);
            batch.people.push(person::ActiveModel {
                id: Set(id),
                full_name: Set(name.clone()),
                nik: Set(Some(nik.clone())),
                phone: Set(Some(participant_phone(p))),
                email: Set(None),
                cooperative_id: Set(Some(place.id)),
                position: Set(Some(position)),
                gender: Set(Some(if p.is_multiple_of(2) { "L" } else { "P" }.into())),
                created_at: Set(now),
                updated_at: Set(now),
            });
            batch.accounts.push(account::ActiveModel {
                person_id: Set(id),
                password_hash: Set(Some(password_hash.clone())),
                is_active: Set(true),
                created_at: Set(now),
                ..Default::default()
            });
            batch.enrolments.push(enrolment::ActiveModel {
                diklat_id: Set(diklat_id),
                person_id: Set(id),
                status: Set(types::EnrolmentStatus::Enrolled),
                enrolled_at: Set(enrolled_at),
                ..Default::default()
            });
            let missed = absences(p);
            for (i, sid) in sessions.iter().enumerate() {
                batch.attendance.push(attendance::ActiveModel {
                    diklat_session_id: Set(*sid),
                    person_id: Set(id),
                    status: Set(if i < missed { types::Attendance::Alpa } else { types::Attendance::Hadir }),
                    source: Set(types::MarkSource::Panitia),
                    marked_at: Set(now),
                    version: Set(1),
                    ..Default::default()
                });
            }
            let submitted =
                crate::services::schedule::wib_instant(ends_on, NaiveTime::from_hms_opt(16, 0, 0).expect("t"));
            let mut posts = Vec::new();
            let mut pres = Vec::new();
            for (m, (title, pre_quiz, post_quiz, bank_id)) in quizzes_of.iter().enumerate() {
                let post = post_grade(p, m as u64);
                batch.attempts.push(quizzes::scored_attempt(
                    post_quiz,
                    id,
                    *bank_id,
                    post,
                    (submitted, submitted),
                    Some(diklat_id),
                ));
                posts.push((title.clone(), post, post >= f64::from(post_quiz.pass_mark)));
                let pre = (m == 0).then(|| pre_grade(p));
                if let Some(pre) = pre {
                    batch.attempts.push(quizzes::scored_attempt(
                        pre_quiz,
                        id,
                        *bank_id,
                        pre,
                        (enrolled_at, enrolled_at),
                        Some(diklat_id),
                    ));
                    pres.push((title.clone(), pre));
                }
                batch.grades.push(standing_grade::ActiveModel {
                    diklat_id: Set(diklat_id),
                    person_id: Set(id),
                    module_id: Set(modules[m].0),
                    pre: Set(pre),
                    post: Set(Some(post)),
                });
            }
            let sessions_n = sessions.len();
            let present = sessions_n - missed;
            let attendance_ok = present * 100 / sessions_n >= 80;
            let posts_passed = posts.iter().all(|(_, _, ok)| *ok);
            let eligible = attendance_ok && posts_passed;
            let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            batch.standings.push(standing::ActiveModel {
                diklat_id: Set(diklat_id),
                person_id: Set(id),
                cooperative_id: Set(place.id),
                village_id: Set(place.village_id),
                district_id: Set(place.district_id),
                regency_id: Set(place.regency_id),
                province_id: Set(place.province_id),
                position: Set(Some(position)),
                sessions: Set(sessions_n as i32),
                present: Set(present as i32),
                attendance_ok: Set(attendance_ok),
                posts_passed: Set(posts_passed),
                eligible: Set(eligible),
                pre_mean: Set(mean(&pres.iter().map(|p| p.1).collect::<Vec<_>>())),
                post_mean: Set(mean(&posts.iter().map(|p| p.1).collect::<Vec<_>>())),
            });
            if eligible {
                eligible_seq += 1;
                let number = format!("{prefix}/{}/{eligible_seq:06}", ends_on.format("%Y"));
                let code = crate::certcode::generate();
                let payload = Payload {
                    v: crate::services::certificates::PAYLOAD_VERSION,
                    number: number.clone(),
                    code: code.clone(),
                    holder: name.clone(),
                    nik: crate::auth::ids::mask_nik(&nik),
                    jabatan: position.code().to_string(),
                    kkmp: place.name.clone(),
                    kelurahan: place.village.clone(),
                    kecamatan: place.district.clone(),
                    diklat: d_name.clone(),
                    diklat_code: d_code.clone(),
                    venue: venue.clone(),
                    starts_on,
                    ends_on,
                    jp: 24,
                    post_tests: posts.iter().map(|(t, g, _)| (t.clone(), *g)).collect(),
                    issued_on: ends_on,
                    pre_tests: pres.clone(),
                    held_from: Some(starts_on),
                    held_to: Some(ends_on),
                    modules: posts.iter().map(|(t, _, _)| (t.clone(), "1.0".to_string())).collect(),
                };
                let json = serde_json::to_string(&payload).expect("a payload serialises");
                batch.certificates.push(certificate::ActiveModel {
                    diklat_id: Set(diklat_id),
                    person_id: Set(id),
                    number: Set(number),
                    seq: Set(eligible_seq),
                    verification_code: Set(code),
                    status: Set(types::CertificateStatus::Valid),
                    issued_at: Set(submitted),
                    issued_by: Set(None),
                    expires_on: Set(None),
                    revoked_at: Set(None),
                    revoked_by: Set(None),
                    revocation_reason: Set(None),
                    signature: Set(state.certificate_key.sign(json.as_bytes())),
                    payload: Set(json),
                    key_id: Set(state.certificate_key.key_id.clone()),
                    ..Default::default()
                });
                written.certificates += 1;
            }
            written.attendance += sessions.len();
            written.attempts += quizzes_of.len() + 1;
        }
        batch.diklat.push(diklat::ActiveModel {
            id: Set(diklat_id),
            code: Set(d_code),
            name: Set(d_name),
            description: Set(None),
            venue: Set(venue),
            starts_on: Set(starts_on),
            ends_on: Set(ends_on),
            total_jp: Set(24),
            status: Set(types::DiklatStatus::Finished),
            province_id: Set(Some(home.province_id)),
            regency_id: Set(Some(home.regency_id)),
            min_attendance_pct: Set(80),
            require_pretests: Set(false),
            certificate_prefix: Set(prefix),
            next_certificate_seq: Set(eligible_seq + 1),
            created_by: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            present_statuses: Set("H,T".into()),
            tests_close_on: Set(Some(ends_on + Duration::days(crate::services::windows::DEFAULT_CLOSE_DAYS))),
            early_issue_reason: Set(None),
            early_issue_by: Set(None),
            early_issue_at: Set(None),
        });
        written.diklat += 1;
        written.sessions += sessions.len();
        if batch.people.len() >= 5000 {
            batch.flush(w).await?;
            progress(&format!(
                "{} of {} people, {} attendance marks, {} certificates ({:.0} s)",
                written.diklat * PEOPLE_PER_DIKLAT,
                people.len(),
                written.attendance,
                written.certificates,
                started.elapsed().as_secs_f64()
            ));
        }
    }
    batch.flush(w).await?;
    // The generated standings are current: nothing to refresh.
    w.execute_unprepared("UPDATE diklat SET standings_stale = FALSE").await?;
    if w.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Explicit ids leave PostgreSQL's sequences behind: move them past the rows.
        for table in
            ["provinces", "regencies", "districts", "villages", "cooperatives", "people", "diklat", "diklat_sessions"]
        {
            w.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
    }
    national_pejabat(w, &password_hash, now).await?;
    w.execute_unprepared("ANALYZE").await?;
    state.reports.clear();
    written.seconds = started.elapsed().as_secs_f64();
    Ok(written)
}

/// A pejabat account with a national scope ([`PEJABAT_LOGIN`], [`PASSWORD`]).
async fn national_pejabat<C: ConnectionTrait>(
    db: &C,
    password_hash: &str,
    now: chrono::DateTime<Utc>,
) -> Result<(), AppError> {
    let staff = crate::demo::Staff {
        name: "Pejabat Nasional (benchmark)",
        email: PEJABAT_LOGIN,
        password_hash,
        role: types::Role::Pejabat,
        province_id: None,
        regency_id: None,
    };
    crate::demo::staff_account(db, staff, now).await?;
    Ok(())
}
