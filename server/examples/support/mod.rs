//! What the benchmarks share: arguments, a server in this process on its own runtime (SQLite in
//! a temporary folder, or a fresh PostgreSQL database), participants with accounts, sign-in.

#![allow(dead_code)]

use chrono::Utc;
use domain::entities::{account, person, role_grant};
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter, Set};
use server::{Application, Config};
use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

pub const PASSWORD: &str = "sandi-bench-kkmp";

/// The allocator the `diklat` binary uses, so the server in the benchmark runs as in production.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The server under test and where its database lives.
pub struct Server {
    pub addr: SocketAddr,
    pub state: domain::AppState,
    _dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

impl Server {
    /// Starts the application on `rt` (SQLite, or a new database on the `--postgres` server).
    pub fn start(rt: &tokio::runtime::Runtime, name: &str, postgres: Option<&str>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let pg_name = format!("diklat_bench_{name}_{}", std::process::id());
        let url = postgres.map(|admin| {
            rt.block_on(async {
                let conn = Database::connect(admin).await.unwrap();
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{pg_name}\" WITH (FORCE)")).await.unwrap();
                conn.execute_unprepared(&format!("CREATE DATABASE \"{pg_name}\"")).await.unwrap();
                format!("{}/{pg_name}", admin.rsplit_once('/').unwrap().0)
            })
        });
        let config = Config::for_test(dir.path().to_path_buf(), "content".into(), url);
        let (addr, state) = rt.block_on(async {
            let app = Application::build(config).await.expect("the application starts");
            let (addr, state) = (app.addr(), app.state().clone());
            tokio::spawn(app.run_until_stopped());
            (addr, state)
        });
        Server { addr, state, _dir: dir, postgres: postgres.map(|a| (a.to_string(), pg_name)) }
    }

    pub fn backend(&self) -> &'static str {
        if self.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// Drops the PostgreSQL database it made.
    pub fn stop(self, rt: &tokio::runtime::Runtime) {
        if let Some((admin, name)) = &self.postgres {
            rt.block_on(async {
                self.state.db.clone().close().await;
                let conn = Database::connect(admin).await.unwrap();
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
            });
        }
    }
}

/// The cooperative benchmark participants belong to: the first by id, so a fixture that also
/// needs its region looks at the same one.
pub async fn first_cooperative<C: ConnectionTrait>(db: &C) -> domain::entities::cooperative::Model {
    use domain::entities::cooperative;
    use sea_orm::QueryOrder;
    cooperative::Entity::find().order_by_asc(cooperative::Column::Id).one(db).await.unwrap().expect("a cooperative")
}

/// A running one-day diklat today, in the region of `first_cooperative` (where `participants`
/// puts people), with one session from `starts` to `ends` and `people` enrolled. `tag` is its
/// code and certificate prefix.
pub struct TodaysDiklat {
    pub diklat: domain::entities::diklat::Model,
    pub session: domain::entities::diklat_session::Model,
    pub regency_id: i32,
}

pub async fn diklat_today(
    db: &domain::Db,
    tag: &str,
    name: &str,
    (starts, ends): (chrono::NaiveTime, chrono::NaiveTime),
    people: &[(i32, String)],
) -> TodaysDiklat {
    use domain::entities::{diklat, diklat_session, district, enrolment, regency, village};
    use sea_orm::ActiveModelTrait;
    let w = db.write();
    let now = Utc::now();
    let coop = first_cooperative(w).await;
    let village = village::Entity::find_by_id(coop.village_id).one(w).await.unwrap().unwrap();
    let district = district::Entity::find_by_id(village.district_id).one(w).await.unwrap().unwrap();
    let regency = regency::Entity::find_by_id(district.regency_id).one(w).await.unwrap().unwrap();
    let today = domain::services::schedule::today_wib(now);
    let diklat = diklat::ActiveModel {
        code: Set(tag.into()),
        name: Set(name.into()),
        venue: Set("Aula".into()),
        starts_on: Set(today),
        ends_on: Set(today),
        total_jp: Set(8),
        status: Set(types::DiklatStatus::Running),
        province_id: Set(Some(regency.province_id)),
        regency_id: Set(Some(regency.id)),
        min_attendance_pct: Set(80),
        require_pretests: Set(false),
        certificate_prefix: Set(tag.into()),
        next_certificate_seq: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        // The load runs during the day's one session: certificates may be issued before it ends.
        early_issue_reason: Set(Some("Uji beban: sertifikat terbit selama sesi berlangsung".into())),
        early_issue_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    // Its rule requires every module with tests (the session names none).
    for (i, m) in domain::entities::module::Entity::find().all(w).await.unwrap().into_iter().enumerate() {
        domain::entities::diklat_module::ActiveModel {
            diklat_id: Set(diklat.id),
            module_id: Set(m.id),
            post_test_required: Set(true),
            sort_order: Set(i as i32),
            ..Default::default()
        }
        .insert(w)
        .await
        .unwrap();
    }
    let session = diklat_session::ActiveModel {
        diklat_id: Set(diklat.id),
        session_date: Set(today),
        starts_at: Set(starts),
        ends_at: Set(ends),
        title: Set(format!("Sesi {name}")),
        room: Set("Aula".into()),
        jp: Set(2),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(w)
    .await
    .unwrap();
    for chunk in people.chunks(500) {
        enrolment::Entity::insert_many(chunk.iter().map(|(id, _)| enrolment::ActiveModel {
            diklat_id: Set(diklat.id),
            person_id: Set(*id),
            status: Set(types::EnrolmentStatus::Enrolled),
            enrolled_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(w)
        .await
        .unwrap();
    }
    TodaysDiklat { diklat, session, regency_id: regency.id }
}

/// Writes `n` peserta of one cooperative (names `{prefix} {i}`) with accounts sharing one
/// password hash; returns (person id, phone) in order.
pub async fn participants(db: &domain::Db, n: usize, prefix: &str, phone_prefix: &str) -> Vec<(i32, String)> {
    let w = db.write();
    let now = Utc::now();
    let hash = domain::password::hash(PASSWORD);
    let coop = first_cooperative(w).await;
    let phones: Vec<String> = (0..n).map(|i| format!("{phone_prefix}{i:08}")).collect();
    let rows: Vec<person::ActiveModel> = phones
        .iter()
        .enumerate()
        .map(|(i, phone)| person::ActiveModel {
            full_name: Set(format!("{prefix} {i}")),
            phone: Set(Some(phone.clone())),
            cooperative_id: Set(Some(coop.id)),
            position: Set(Some(types::Jabatan::AnggotaPengawas)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(500) {
        person::Entity::insert_many(chunk.to_vec()).exec_without_returning(w).await.unwrap();
    }
    let people =
        person::Entity::find().filter(person::Column::Phone.is_in(phones.iter().cloned())).all(w).await.unwrap();
    for chunk in people.chunks(500) {
        account::Entity::insert_many(chunk.iter().map(|p| account_row(p.id, &hash, now)))
            .exec_without_returning(w)
            .await
            .unwrap();
    }
    let accounts = account::Entity::find()
        .filter(account::Column::PersonId.is_in(people.iter().map(|p| p.id)))
        .all(w)
        .await
        .unwrap();
    for chunk in accounts.chunks(500) {
        role_grant::Entity::insert_many(chunk.iter().map(|a| role_grant::ActiveModel {
            account_id: Set(a.id),
            role: Set(types::Role::Peserta),
            granted_at: Set(now),
            ..Default::default()
        }))
        .exec_without_returning(w)
        .await
        .unwrap();
    }
    let by_phone: std::collections::HashMap<String, i32> =
        people.iter().map(|p| (p.phone.clone().unwrap_or_default(), p.id)).collect();
    phones.into_iter().map(|phone| (by_phone[&phone], phone)).collect()
}

/// A staff member with an account (the shared password) and one role, over a kab/kota or
/// everywhere.
pub async fn staff(db: &domain::Db, email: &str, role: types::Role, regency_id: Option<i32>) {
    let hash = domain::password::hash(PASSWORD);
    let name = format!("Staf {email}");
    let staff = domain::demo::Staff { name: &name, email, password_hash: &hash, role, province_id: None, regency_id };
    domain::demo::staff_account(db.write(), staff, Utc::now()).await.unwrap();
}

/// The form a participant sends for attempt `a`: every question answered, the first half of
/// them right (so a submitted attempt scores 50), or all of them when `all_right`.
pub async fn answer_form<C: ConnectionTrait>(
    db: &C,
    questions: &domain::services::quizzes::QuestionCache,
    a: &domain::entities::attempt::Model,
    all_right: bool,
) -> Vec<(String, String)> {
    use domain::quiz::Key;
    let layout = domain::services::quizzes::layout_of(a);
    let ids: Vec<i32> = layout.iter().map(|s| s.q).collect();
    let loaded = questions.get(db, &ids).await.unwrap();
    let mut f = vec![("percobaan".to_string(), a.id.to_string())];
    for (n, slot) in layout.iter().enumerate() {
        let right = all_right || n < layout.len() / 2;
        let name = format!("q{}", slot.q);
        f.push(("d".into(), slot.q.to_string()));
        match &loaded[&slot.q].key {
            Key::Choices(options) => {
                for (k, o) in options.iter().enumerate() {
                    if o.correct == right {
                        f.push((name.clone(), k.to_string()));
                        if !right {
                            break;
                        }
                    }
                }
            }
            Key::TrueFalse(b) => f.push((name, if *b == right { "benar" } else { "salah" }.into())),
            Key::Short(accepted) if right => f.push((name, accepted[0].clone())),
            Key::Numeric { value, .. } if right => f.push((name, format!("{value}"))),
            _ => f.push((name, "tidak tahu".into())),
        }
    }
    f.push(("aksi".into(), "kumpulkan".into()));
    f.push(("yakin".into(), "ya".into()));
    f
}

pub fn account_row(person_id: i32, hash: &str, now: chrono::DateTime<Utc>) -> account::ActiveModel {
    account::ActiveModel {
        person_id: Set(person_id),
        password_hash: Set(Some(hash.to_string())),
        password_changed_at: Set(Some(now)),
        is_active: Set(true),
        created_at: Set(now),
        ..Default::default()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(256).build().unwrap()
}

fn session_cookie(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("diklat_sesi="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// Signs in; returns the session cookie.
pub async fn sign_in(client: &reqwest::Client, base: &str, login: &str) -> String {
    let r = client
        .post(format!("{base}/auth/masuk"))
        .form(&[("login", login), ("sandi", PASSWORD), ("ke", "/akun")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/akun", "{login} signs in");
    session_cookie(&r)
}

/// Runs `f(0) … f(n-1)`, `workers` at a time; the results in order.
pub async fn in_parallel<T, F, Fut>(n: usize, workers: usize, f: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = T> + Send,
{
    let results: Arc<Mutex<Vec<Option<T>>>> = Arc::new(Mutex::new((0..n).map(|_| None).collect()));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let f = Arc::new(f);
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (results, next, f) = (results.clone(), next.clone(), f.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= n {
                    break;
                }
                let r = f(i).await;
                results.lock().unwrap()[i] = Some(r);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let out = std::mem::take(&mut *results.lock().unwrap());
    out.into_iter().map(|r| r.expect("every item ran")).collect()
}

/// Signs every login in, eight at a time (Argon2 is slow on purpose: not part of any timing).
pub async fn sign_in_all(client: &reqwest::Client, base: &str, logins: &[String]) -> Vec<String> {
    let (client, base, logins) = (client.clone(), base.to_string(), Arc::new(logins.to_vec()));
    in_parallel(logins.len(), 8, move |i| {
        let (client, base, logins) = (client.clone(), base.clone(), logins.clone());
        async move { sign_in(&client, &base, &logins[i]).await }
    })
    .await
}

/// The check-in code a projector page (`/sesi/{id}/kode`) shows.
pub fn code_on(page: &str) -> Option<String> {
    let at = page.find(r#"data-testid="code""#)?;
    let start = at + page[at..].find('>')? + 1;
    Some(page[start..start + page[start..].find('<')?].trim().to_string())
}
