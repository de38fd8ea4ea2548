//! Starts the real portal on a free port with its own data directory.

use app::domain::{KnownErrorStatus, SearchResults, TicketForm};
use app::server::knowledge;
use app::server::store::catalog::{self, NewService};
use app::server::store::knowledge::{ArticleDraft, DraftContent};
use app::server::web::state::AppState;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::TempDir;
use tower::ServiceExt;

/// A response, read whole.
pub struct Response {
    status: u16,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Response {
    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn headers(&self) -> &axum::http::HeaderMap {
        &self.headers
    }

    pub fn body_bytes(&self) -> Vec<u8> {
        self.body.clone()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// The portal's real router, driven in-process. Requests go through every layer a
/// network request does (headers, limits, compression, the same-origin rule).
pub struct TestPortal {
    pub router: axum::Router,
    pub state: AppState,
    pub dir: TempDir,
}

impl TestPortal {
    /// A portal on an empty database: tests create their own data.
    pub async fn start() -> TestPortal {
        Self::start_in(TempDir::new().expect("temporary directory"), false).await
    }

    /// A portal with the demo content loaded.
    pub async fn start_with_demo() -> TestPortal {
        Self::start_in(TempDir::new().expect("temporary directory"), true).await
    }

    /// A portal that says it is served over https (`PORTAL_PUBLIC_URL`).
    pub async fn start_https() -> TestPortal {
        Self::start_configured(
            TempDir::new().expect("temporary directory"),
            false,
            Some("https://portal.test".into()),
        )
        .await
    }

    /// A portal whose admin set its public address to `http://portal.test`.
    pub async fn start_in(dir: TempDir, load_demo: bool) -> TestPortal {
        Self::start_configured(dir, load_demo, Some(format!("http://{}", Self::HOST))).await
    }

    async fn start_configured(
        dir: TempDir,
        load_demo: bool,
        public_url: Option<String>,
    ) -> TestPortal {
        Self::start_with(dir, load_demo, public_url, Vec::new()).await
    }

    /// A portal configured as given: its public address (or none: links then use
    /// the listening address, 127.0.0.1:3000) and its trusted reverse proxies.
    pub async fn start_with(
        dir: TempDir,
        load_demo: bool,
        public_url: Option<String>,
        trusted_proxies: Vec<String>,
    ) -> TestPortal {
        Self::start_from(dir, |config| {
            config.load_demo = load_demo;
            config.public_url = public_url;
            config.trusted_proxies = trusted_proxies;
        })
        .await
    }

    /// A portal that scans every attached file with the clamd at `socket`.
    pub async fn start_scanning(dir: TempDir, socket: &Path) -> TestPortal {
        Self::start_from(dir, |config| {
            config.public_url = Some(format!("http://{}", Self::HOST));
            config.clamd_socket = Some(socket.to_path_buf());
        })
        .await
    }

    /// A portal that sends its messages through the SMTP server at `smtp_url`,
    /// trying again on the `backoff` schedule.
    pub async fn start_mailing(smtp_url: &str, backoff: app::domain::Backoff) -> TestPortal {
        let dir = TempDir::new().expect("temporary directory");
        Self::start_from(dir, |config| Self::send_through(config, smtp_url, backoff)).await
    }

    /// Links to the test host, and mail sent through `smtp_url`.
    fn send_through(config: &mut server::Config, smtp_url: &str, backoff: app::domain::Backoff) {
        config.public_url = Some(format!("http://{}", Self::HOST));
        config.mail = Some(app::server::mail::MailSettings {
            smtp_url: smtp_url.into(),
            password_file: None,
            from: "IT Help <help@portal.test>".into(),
            backoff,
        });
    }

    /// A portal that sends through `smtp_url` and reads the desk's mailbox at
    /// `imap_url` (the password in `password_file`).
    pub async fn start_reading(
        smtp_url: &str,
        imap_url: &str,
        password_file: std::path::PathBuf,
    ) -> TestPortal {
        let dir = TempDir::new().expect("temporary directory");
        Self::start_from(dir, |config| {
            Self::send_through(config, smtp_url, app::domain::Backoff::default());
            config.inbound = Some(app::server::inbox::imap::InboundSettings {
                imap: app::server::inbox::imap::ImapSettings {
                    url: imap_url.into(),
                    password_file: Some(password_file),
                    poll: Duration::from_secs(60),
                },
                answers_a_day: 10,
                strangers: Default::default(),
                category: None,
            });
        })
        .await
    }

    /// A portal in `dir`, configured as `configure` changes the defaults.
    pub async fn start_from(
        dir: TempDir,
        configure: impl FnOnce(&mut server::Config),
    ) -> TestPortal {
        let site_root = dir.path().join("site");
        std::fs::create_dir_all(site_root.join("pkg")).expect("site folder");
        let mut config = server::Config {
            data_dir: data_dir(dir.path()),
            load_demo: false,
            public_url: None,
            trusted_proxies: Vec::new(),
            forwarded_header: Default::default(),
            time_zone: "UTC".into(),
            clamd_socket: None,
            inbound: None,
            mail: None,
            leptos_options: LeptosOptions::builder()
                .output_name("portal")
                .site_root(site_root.to_string_lossy().to_string())
                .build(),
        };
        configure(&mut config);
        let portal = server::build(config).await.expect("the portal starts");
        TestPortal {
            router: portal.router,
            state: portal.state,
            dir,
        }
    }

    /// Stops the portal and waits until it has let go of its data directory.
    pub async fn stop(self) -> TempDir {
        self.state.db.reader.close().await;
        self.state.db.writer.close().await;
        let lock =
            app::server::search::index_dir(&data_dir(self.dir.path())).join(".tantivy-writer.lock");
        drop(self.router);
        drop(self.state);
        for _ in 0..100 {
            if !lock.exists() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.dir
    }

    pub fn data_dir(&self) -> PathBuf {
        data_dir(self.dir.path())
    }

    /// The address tests pretend the portal is served at.
    pub const HOST: &'static str = "portal.test";

    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a whole body")
            .to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    /// Sends `request` as if it came over the network from `peer` (an IP
    /// address), as the listener tells the router.
    pub async fn send_from(&self, peer: &str, mut request: Request<Body>) -> Response {
        let peer: std::net::IpAddr = peer.parse().expect("an IP address");
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::new(
                peer, 40000,
            )));
        self.send(request).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        let mut request = Request::get(path).header("host", host_of(headers));
        for (name, value) in without_host(headers) {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).expect("request"))
            .await
    }

    /// A GET as a signed-in browser (or an anonymous one, for `None`).
    pub async fn get_as(&self, who: Option<&Session>, path: &str) -> Response {
        match who {
            Some(session) => self.get_with(path, &[("cookie", &session.cookie)]).await,
            None => self.get(path).await,
        }
    }

    /// A form post from one of the portal's own pages, as a signed-in browser.
    pub async fn post_as<V: AsRef<str>>(
        &self,
        who: Option<&Session>,
        path: &str,
        fields: &[(&str, V)],
    ) -> Response {
        let mut headers = vec![("sec-fetch-site", "same-origin")];
        if let Some(session) = who {
            headers.push(("cookie", session.cookie.as_str()));
        }
        self.post_form_with(path, fields, &headers).await
    }

    /// [`Self::post_as`] from another client address (an IP address): what many
    /// people do at once, each within their own rate limits.
    pub async fn post_as_from<V: AsRef<str>>(
        &self,
        peer: &str,
        who: Option<&Session>,
        path: &str,
        fields: &[(&str, V)],
    ) -> Response {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        let mut request = Request::post(path)
            .header("host", Self::HOST)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin");
        if let Some(session) = who {
            request = request.header("cookie", &session.cookie);
        }
        let body = serde_urlencoded::to_string(&pairs).expect("form encoding");
        self.send_from(peer, request.body(Body::from(body)).expect("request"))
            .await
    }

    /// A form post with files, as a browser sends a `multipart/form-data` form
    /// from one of the portal's pages: `fields` then `files` (name, bytes), all
    /// in the `files` input.
    pub async fn post_multipart<V: AsRef<str>>(
        &self,
        who: Option<&Session>,
        path: &str,
        fields: &[(&str, V)],
        files: &[(&str, &[u8])],
    ) -> Response {
        let (content_type, body) = multipart_body(fields, files);
        let mut request = Request::post(path)
            .header("host", Self::HOST)
            .header("content-type", content_type)
            .header("sec-fetch-site", "same-origin");
        if let Some(session) = who {
            request = request.header("cookie", &session.cookie);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Registers an end user through the registration form.
    pub async fn register(&self, name: &str, email: &str, password: &str) -> Response {
        self.post_as(
            None,
            "/register",
            &[
                ("name", name),
                ("email", email),
                ("password", password),
                ("confirm_password", password),
            ],
        )
        .await
    }

    /// Signs in through the sign-in form; panics unless it works.
    pub async fn sign_in(&self, email: &str, password: &str) -> Session {
        let response = self.try_sign_in(email, password, None).await;
        assert_eq!(
            response.status(),
            303,
            "sign-in of {email} failed: {}",
            response.text()
        );
        Session::from_response(&response).expect("a session cookie")
    }

    /// Posts the sign-in form, from a browser that may already hold a session.
    pub async fn try_sign_in(
        &self,
        email: &str,
        password: &str,
        browser: Option<&Session>,
    ) -> Response {
        self.post_as(
            browser,
            "/sign-in",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }

    /// An end user, registered and signed in.
    pub async fn end_user(&self, name: &str, email: &str) -> Session {
        let response = self.register(name, email, PASSWORD).await;
        assert_eq!(
            response.status(),
            200,
            "registration failed: {}",
            response.text()
        );
        self.sign_in(email, PASSWORD).await
    }

    /// An admin, made as `server create-admin` makes one, and signed in.
    pub async fn admin(&self, email: &str) -> Session {
        app::server::accounts::create_admin(
            &self.state.db,
            "Ada Admin",
            email,
            PASSWORD,
            chrono::Utc::now(),
        )
        .await
        .expect("admin created");
        self.sign_in(email, PASSWORD).await
    }

    /// An agent in the 1st-level group: invited by `admin`, password chosen through
    /// the invitation link, signed in.
    pub async fn agent(&self, admin: &Session, name: &str, email: &str) -> Session {
        self.invite_agent(admin, name, email).await;
        let link = self.link_in_outbox(email, "/welcome/").await;
        self.accept_invitation(&link, email).await
    }

    /// `admin` invites an agent of the 1st-level group.
    pub async fn invite_agent(&self, admin: &Session, name: &str, email: &str) {
        let response = self
            .post_as(
                Some(admin),
                "/admin/users",
                &[
                    ("name", name),
                    ("email", email),
                    ("role", "agent"),
                    ("groups", "1"),
                ],
            )
            .await;
        assert_eq!(
            response.status(),
            303,
            "invitation failed: {}",
            response.text()
        );
    }

    /// The invited person chooses a password through `link`, which signs them in.
    pub async fn accept_invitation(&self, link: &str, email: &str) -> Session {
        let response = self
            .post_as(
                None,
                link,
                &[("new_password", PASSWORD), ("confirm_password", PASSWORD)],
            )
            .await;
        assert_eq!(
            response.status(),
            303,
            "password not set for {email}: {}",
            response.text()
        );
        Session::from_response(&response).expect("signed in by the invitation")
    }

    /// The path of the newest link starting with `prefix` in a message to `email`.
    pub async fn link_in_outbox(&self, email: &str, prefix: &str) -> String {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM outbox WHERE recipient = ? COLLATE NOCASE ORDER BY id DESC",
        )
        .bind(email)
        .fetch_all(&self.state.db.reader)
        .await
        .expect("outbox");
        bodies
            .iter()
            .find_map(|body| {
                let start = body.find(prefix)?;
                let rest = &body[start..];
                Some(rest.split_whitespace().next()?.to_string())
            })
            .unwrap_or_else(|| panic!("no {prefix} link to {email} in {bodies:?}"))
    }

    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        (response.status(), response.text())
    }

    /// Posts a form, with extra headers.
    pub async fn post_form_with<V: AsRef<str>>(
        &self,
        path: &str,
        fields: &[(&str, V)],
        headers: &[(&str, &str)],
    ) -> Response {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        let body = serde_urlencoded::to_string(&pairs).expect("form encoding");
        self.post_raw(path, "application/x-www-form-urlencoded", body, headers)
            .await
    }

    pub async fn post_form<V: AsRef<str>>(&self, path: &str, fields: &[(&str, V)]) -> Response {
        self.post_form_with(path, fields, &[]).await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut request = Request::post(path)
            .header("host", host_of(headers))
            .header("content-type", content_type);
        for (name, value) in without_host(headers) {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::from(body)).expect("request"))
            .await
    }

    /// Calls the search server function as the browser does.
    pub async fn search(&self, query: &str, filters: &[(&str, &str)]) -> SearchResults {
        let mut form = vec![("query", query), ("limit", "20")];
        form.extend_from_slice(filters);
        let query = serde_urlencoded::to_string(&form).expect("query encoding");
        let response = self.get(&format!("/api/search?{query}")).await;
        assert_eq!(response.status(), 200, "search of {query:?} failed");
        response.json()
    }

    /// Slugs of the hits of a search, best first.
    pub async fn search_slugs(&self, query: &str) -> Vec<String> {
        self.search(query, &[])
            .await
            .hits
            .into_iter()
            .map(|h| h.slug)
            .collect()
    }

    /// Posts the logging form as a browser without JavaScript does.
    pub async fn submit(&self, kind: &str, form: &TicketForm) -> Response {
        self.post_form(&format!("/report/{kind}"), &form_fields(form))
            .await
    }

    pub async fn add_service(&self, slug: &str, name: &str, categories: &[&str]) {
        let categories: Vec<String> = categories.iter().map(|c| c.to_string()).collect();
        let mut tx = self.state.db.writer.begin().await.expect("transaction");
        catalog::insert_service(
            &mut tx,
            NewService {
                slug,
                name,
                description: "",
                categories: &categories,
            },
        )
        .await
        .expect("service added");
        tx.commit().await.expect("commit");
        // As the admin's form does: pages stop showing their kept list.
        self.state.changes.services_changed();
    }

    pub async fn add_faq(&self, slug: &str, service: &str, title: &str, answer: &str) {
        self.publish(ArticleDraft {
            slug: slug.into(),
            service_slug: service.into(),
            title: title.into(),
            keywords: vec![],
            visibility: Default::default(),
            content: DraftContent::Faq {
                answer_md: answer.into(),
            },
        })
        .await;
    }

    pub async fn add_known_error(&self, slug: &str, service: &str, title: &str, symptoms: &str) {
        self.publish(ArticleDraft {
            slug: slug.into(),
            service_slug: service.into(),
            title: title.into(),
            keywords: vec![],
            visibility: Default::default(),
            content: DraftContent::KnownError {
                status: KnownErrorStatus::WorkaroundAvailable,
                symptoms_md: symptoms.into(),
                workaround_md: "1. Restart the application.".into(),
                cause_md: None,
            },
        })
        .await;
    }

    pub async fn publish(&self, draft: ArticleDraft) {
        knowledge::publish(&self.state.db, &self.state.search, &draft)
            .await
            .expect("article published");
    }

    /// The category ids of a service, in order.
    pub async fn category_ids(&self, service: &str) -> Vec<i64> {
        sqlx::query_scalar(
            "SELECT c.id FROM categories c JOIN services s ON s.id = c.service_id
             WHERE s.slug = ? ORDER BY c.position",
        )
        .bind(service)
        .fetch_all(&self.state.db.reader)
        .await
        .expect("categories")
    }

    /// A valid incident form for `service`, which already exists.
    pub async fn incident_form(&self, service: &str) -> TicketForm {
        let category = self.category_ids(service).await[0];
        TicketForm {
            name: "Uma User".into(),
            email: "uma@example.com".into(),
            service: service.into(),
            category: category.to_string(),
            summary: "Calendar invites vanish".into(),
            description: "Invites from outside disappear from the inbox.".into(),
            impact: "low".into(),
            urgency: "medium".into(),
            ..Default::default()
        }
    }

    /// `agent` applies incident model `model` to ticket `number`, at its version now.
    pub async fn apply_model(&self, agent: &Session, number: &str, model: i64) -> Response {
        let version: i64 = sqlx::query_scalar("SELECT version FROM tickets WHERE number = ?")
            .bind(number)
            .fetch_one(&self.state.db.reader)
            .await
            .unwrap();
        self.post_as(
            Some(agent),
            &format!("/agent/tickets/{number}"),
            &[
                ("version", version.to_string().as_str()),
                ("action", "apply_model"),
                ("model", &model.to_string()),
            ],
        )
        .await
    }

    /// A catalogue with one service, "email", and a valid incident form for it.
    pub async fn with_email_service(&self) -> TicketForm {
        self.add_service("email", "E-mail", &["Sending", "Calendar"])
            .await;
        let category = self.category_ids("email").await[0];
        TicketForm {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            phone: String::new(),
            service: "email".into(),
            category: category.to_string(),
            summary: "Outlook will not send mail".into(),
            description: "Every message stays in the outbox since this morning.".into(),
            impact: "low".into(),
            urgency: "medium".into(),
            join: String::new(),
        }
    }
}

/// The password the test accounts use.
pub const PASSWORD: &str = "correct horse battery staple";

/// A browser's session cookie, as sent back in `Cookie`.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
}

impl Session {
    /// The session a response hands out in `Set-Cookie`, if any.
    pub fn from_response(response: &Response) -> Option<Session> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.contains("portal_session=") && !pair.ends_with('='))
            .map(|pair| Session {
                cookie: pair.to_string(),
            })
    }
}

/// The `host` among `headers`, or the portal's usual one.
fn host_of<'a>(headers: &[(&str, &'a str)]) -> &'a str {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("host"))
        .map_or(TestPortal::HOST, |(_, value)| *value)
}

fn without_host<'a, 'b>(
    headers: &'a [(&'b str, &'b str)],
) -> impl Iterator<Item = &'a (&'b str, &'b str)> {
    headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("host"))
}

/// A page with its per-response nonce replaced by `NONCE`, to compare two answers.
pub fn without_nonces(html: &str) -> String {
    match nonce_of(html) {
        Some(nonce) => html.replace(&nonce, "NONCE"),
        None => html.to_string(),
    }
}

/// The nonce on the page's first script.
pub fn nonce_of(html: &str) -> Option<String> {
    let start = html.find("nonce=\"")? + 7;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn data_dir(root: &Path) -> PathBuf {
    root.join("data")
}

pub fn form_fields(form: &TicketForm) -> Vec<(&'static str, String)> {
    vec![
        ("name", form.name.clone()),
        ("email", form.email.clone()),
        ("phone", form.phone.clone()),
        ("service", form.service.clone()),
        ("category", form.category.clone()),
        ("summary", form.summary.clone()),
        ("description", form.description.clone()),
        ("impact", form.impact.clone()),
        ("urgency", form.urgency.clone()),
        ("join", form.join.clone()),
    ]
}

/// A `multipart/form-data` body: its content type and bytes.
pub fn multipart_body<V: AsRef<str>>(
    fields: &[(&str, V)],
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----portal-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{}\r\n",
                value.as_ref()
            )
            .as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        // As browsers do: a quote, CR and LF in the name percent-encoded.
        let file_name = file_name
            .replace('"', "%22")
            .replace('\r', "%0D")
            .replace('\n', "%0A");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; \
                 filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Escapes text as Leptos does in HTML text nodes and attributes.
pub fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The next server-sent event on `body` within `wait`, keep-alives skipped.
pub async fn next_event(body: &mut Body, wait: Duration) -> Option<String> {
    loop {
        let frame = tokio::time::timeout(wait, body.frame()).await.ok()??.ok()?;
        if let Ok(data) = frame.into_data() {
            let text = String::from_utf8_lossy(&data).to_string();
            // Keep-alive comments are not events.
            if text.contains("event:") {
                return Some(text);
            }
        }
    }
}

/// Opens a server-sent event stream as `who`: its status and body.
pub async fn open_stream(portal: &TestPortal, who: Option<&Session>, path: &str) -> (u16, Body) {
    let mut request = Request::get(path).header("host", TestPortal::HOST);
    if let Some(session) = who {
        request = request.header("cookie", &session.cookie);
    }
    let response = portal
        .router
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    (response.status().as_u16(), response.into_body())
}
