use domain::AppState;
use sea_orm::{ConnectionTrait, Database};
use server::{Application, Config};
use std::{
    net::SocketAddr,
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running application with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub config: Config,
    _data_dir: tempfile::TempDir,
    pg_database: Option<(String, String)>,
}

pub fn content_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../content"))
}

/// How many module folders the repository's content holds.
pub fn module_folder_count() -> usize {
    std::fs::read_dir(content_dir().join("modul")).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count()
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Creates a fresh PostgreSQL database; returns (admin url, database name, url of the new one).
pub async fn fresh_postgres() -> Option<(String, String, String)> {
    let admin = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let name = format!("diklat_t_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst), rand_suffix());
    let conn = Database::connect(&admin).await.expect("TEST_DATABASE_URL must be reachable");
    conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
    conn.close().await.ok();
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).expect("TEST_DATABASE_URL needs a /database");
    Some((admin, name.clone(), format!("{base}/{name}")))
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
}

impl TestApp {
    /// Builds and starts the application; `None` for PostgreSQL when no URL is configured.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let data_dir = tempfile::tempdir().unwrap();
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres => {
                // Built for PostgreSQL (see server/build.rs) but run without its URL: a failure,
                // not a test that quietly passes.
                let Some((admin, name, url)) = fresh_postgres().await else {
                    #[cfg(postgres_tests)]
                    panic!("TEST_DATABASE_URL was set when the tests were built, not now");
                    #[cfg(not(postgres_tests))]
                    return None;
                };
                (Some(url), Some((admin, name)))
            }
        };
        let mut config = Config::for_test(data_dir.path().to_path_buf(), content_dir(), database_url);
        adjust(&mut config);
        let app = Application::build(config.clone()).await.expect("the application starts");
        let addr = app.addr();
        let state = app.state().clone();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Some(TestApp { addr, config, state, client, backend, _data_dir: data_dir, pg_database })
    }

    /// A second server over the same database and data folder, as after a restart.
    pub async fn restarted(&self) -> SocketAddr {
        let app = Application::build(self.config.clone()).await.expect("the application restarts");
        let addr = app.addr();
        tokio::spawn(app.run_until_stopped());
        addr
    }

    /// Seeds the demo (114 participants and the staff accounts).
    pub async fn seed_demo(&self) {
        domain::demo::seed(self.state.db.write()).await.expect("demo seeded");
    }

    /// The demo with its test results and certificates, as `diklat serve --demo` leaves it;
    /// returns the certificates issued.
    pub async fn seed_demo_with_certificates(&self) -> Vec<domain::entities::certificate::Model> {
        self.seed_demo().await;
        let modules = self.state.quiz_modules();
        domain::demo::seed_results(self.state.db.write(), &modules).await.unwrap();
        domain::demo::seed_evaluations(self.state.db.write(), &self.state.content.forms).await.unwrap();
        let d = self.diklat(domain::demo::DIKLAT_CODE).await;
        domain::services::certificates::issue_eligible(
            self.state.db.read(),
            self.state.db.write(),
            &self.state.certificate_key,
            &d,
            &modules,
            None,
            None,
        )
        .await
        .unwrap()
    }

    /// A finished attempt at a module's test with `score`, taken for `d` on its last day (written
    /// directly, as if taken then: inside the diklat's window).
    pub async fn took(
        &self,
        d: &domain::entities::diklat::Model,
        module_id: i32,
        phase: domain::services::quizzes::Phase,
        person_id: i32,
        score: f64,
    ) {
        use sea_orm::ActiveModelTrait;
        let q = domain::services::quizzes::quiz_of(self.state.db.read(), module_id, phase).await.unwrap();
        let bank = domain::services::quizzes::current_bank(self.state.db.read(), module_id).await.unwrap();
        let hour = if phase == domain::services::quizzes::Phase::Pre { 7 } else { 15 };
        let at = domain::services::clock::wib_instant(
            if phase == domain::services::quizzes::Phase::Pre { d.starts_on } else { d.ends_on },
            chrono::NaiveTime::from_hms_opt(hour, 0, 0).unwrap(),
        );
        let taken = (at, at + chrono::Duration::minutes(20));
        domain::services::quizzes::scored_attempt(&q, person_id, bank.bank_id, score, taken, Some(d.id))
            .insert(self.state.db.write())
            .await
            .unwrap();
    }

    /// A demo diklat by its code (`domain::demo::DIKLAT_CODE`, `CURRENT_CODE`).
    pub async fn diklat(&self, code: &str) -> domain::entities::diklat::Model {
        domain::services::schedule::by_code(self.state.db.read(), code)
            .await
            .unwrap_or_else(|e| panic!("the demo diklat {code}: {e}"))
    }

    /// The person id of the demo's first peserta (`domain::demo::LOGINS[3]`).
    pub async fn demo_peserta_id(&self) -> i32 {
        use domain::entities::person;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        person::Entity::find()
            .filter(person::Column::Phone.eq("+6281234560001"))
            .one(self.state.db.read())
            .await
            .unwrap()
            .expect("the demo peserta")
            .id
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
    }

    /// Posts the sign-in form; returns the response (303 either way).
    pub async fn sign_in(&self, client: &reqwest::Client, login: &str, password: &str) -> reqwest::Response {
        client
            .post(self.url("/auth/masuk"))
            .form(&[("login", login), ("sandi", password), ("ke", "/akun")])
            .send()
            .await
            .expect("sign-in request")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._data_dir.path()
    }

    /// Closes the pools and drops a PostgreSQL test database.
    pub async fn teardown(self) {
        // Closing waits for every connection to come back; a request the server is still
        // finishing must not hang the suite.
        if tokio::time::timeout(std::time::Duration::from_secs(5), self.state.db.clone().close()).await.is_err() {
            eprintln!("teardown: the database pool did not close within 5 s");
        }
        if let Some((admin, name)) = self.pg_database {
            drop_postgres(&admin, &name).await;
        }
    }
}

/// The `diklat_sesi=…` pair a response sets, for a client without a cookie store.
pub fn session_cookie_of(r: &reqwest::Response) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("diklat_sesi="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string()
}

/// Drops a database `fresh_postgres` made.
pub async fn drop_postgres(admin: &str, name: &str) {
    let conn = Database::connect(admin).await.unwrap();
    conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.unwrap();
    conn.close().await.ok();
}

/// A staff account with one role grant; returns its e-mail login (password `sandi-uji-coba`).
pub async fn staff(
    app: &TestApp,
    email: &str,
    role: types::Role,
    province_id: Option<i32>,
    regency_id: Option<i32>,
) -> String {
    let hash = domain::password::hash("sandi-uji-coba");
    let name = format!("Staf {role}");
    let staff = domain::demo::Staff { name: &name, email, password_hash: &hash, role, province_id, regency_id };
    domain::demo::staff_account(app.state.db.write(), staff, chrono::Utc::now()).await.unwrap();
    email.to_string()
}

/// A second kab/kota beside the demo's Kota Malang, in the same province: Kabupaten Malang (3507),
/// with one kecamatan, one desa, its KKMP and one participant (a ketua, NIK 3507010101900001,
/// phone +6281299990001). For tests of what stays inside a region. Returns the regency's id.
pub async fn kabupaten_malang(app: &TestApp) -> i32 {
    use domain::entities::{cooperative, district, person, province, regency, village};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    let db = app.state.db.write();
    let now = chrono::Utc::now();
    let jatim = province::Entity::find().filter(province::Column::Code.eq("35")).one(db).await.unwrap().unwrap();
    let kab = regency::ActiveModel {
        province_id: Set(jatim.id),
        code: Set("3507".into()),
        name: Set("Kabupaten Malang".into()),
        kind: Set("kabupaten".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let d = district::ActiveModel {
        regency_id: Set(kab.id),
        code: Set("3507010".into()),
        name: Set("Donomulyo".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let v = village::ActiveModel {
        district_id: Set(d.id),
        code: Set("3507010001".into()),
        name: Set("Tulungrejo".into()),
        kind: Set("desa".into()),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let c = cooperative::ActiveModel {
        village_id: Set(v.id),
        name: Set("Koperasi Desa Merah Putih Tulungrejo".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    person::ActiveModel {
        full_name: Set("Warga Kabupaten".into()),
        nik: Set(Some("3507010101900001".into())),
        phone: Set(Some("+6281299990001".into())),
        cooperative_id: Set(Some(c.id)),
        position: Set(Some(types::Jabatan::Ketua)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    kab.id
}

/// Declares a test that runs once per database: `name::on_sqlite` and `name::on_postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            use $crate::helpers::{Backend, TestApp};

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                let $app = TestApp::spawn(Backend::Sqlite).await.unwrap();
                $body
                $app.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL: set TEST_DATABASE_URL when building the tests")]
            async fn on_postgres() {
                let $app = TestApp::spawn(Backend::Postgres).await.expect("TEST_DATABASE_URL is set");
                $body
                $app.teardown().await;
            }
        }
    };
}

/// The message a form post left on the page that follows it (empty when there is none), without
/// Leptos' markers: the flash, or — for a refused form shown again as typed — the error beside
/// its field.
pub fn flash_in(page: &str) -> String {
    for testid in [r#"data-testid="flash""#, r#"data-testid="field-error""#, r#"data-testid="form-result""#] {
        let Some(at) = page.find(testid) else { continue };
        let open = page[..at].rfind('<').unwrap();
        let tag: String = page[open + 1..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let start = at + page[at..].find('>').unwrap() + 1;
        let end = start + page[start..].find(&format!("</{tag}>")).unwrap();
        return page[start..end].replace("<!>", "").trim().to_string();
    }
    String::new()
}

/// Copies the repository's content so a test can edit it.
pub fn editable_content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy =
        std::process::Command::new("cp").arg("-r").arg(content_dir().join("modul")).arg(dir.path()).status().unwrap();
    assert!(copy.success());
    dir
}
