//! Files attached to tickets, through the real router: sent with the logging
//! form, with "add information", with an agent's reply or note; handed out only
//! to those whose page lists them, with headers that keep them inert.

use crate::helpers::{form_fields, location, Session, TestPortal};
use app::domain::{TicketForm, MB};
use std::io::Cursor;

/// A small PNG of `width` × `height`.
pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 7) as u8, (y * 5) as u8, 128, 200])
    });
    let mut bytes = Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("a PNG");
    bytes.into_inner()
}

/// A PNG that says it is 20,000 × 20,000 pixels in a few dozen bytes.
fn decompression_bomb() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&20_000u32.to_be_bytes());
    header.extend_from_slice(&20_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    // Zlib of a little zero data: a decoder would inflate it row after row.
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

pub(crate) const LOG: &[u8] =
    b"2026-12-03 08:14:02 ERROR vpn: error 809, the tunnel could not be set up\n";

/// The private link a logging post answered with.
pub(crate) fn status_link(response: &crate::helpers::Response) -> String {
    let to = location(response);
    assert_eq!(response.status(), 303, "{}", response.text());
    to.trim_end_matches("?new=1").to_string()
}

/// The download addresses (`…/files/{id}`) a page links to, in page order.
pub(crate) fn file_links(html: &str) -> Vec<String> {
    let mut links = Vec::new();
    for piece in html.split("href=\"").skip(1) {
        let href = &piece[..piece.find('"').unwrap_or(0)];
        if href.contains("/files/") && !links.iter().any(|l| l == href) {
            links.push(href.to_string());
        }
    }
    links
}

pub(crate) async fn number_of_last_ticket(portal: &TestPortal) -> String {
    sqlx::query_scalar("SELECT number FROM tickets ORDER BY id DESC LIMIT 1")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap()
}

pub(crate) async fn version_of(portal: &TestPortal, number: &str) -> String {
    let version: i64 = sqlx::query_scalar("SELECT version FROM tickets WHERE number = ?")
        .bind(number)
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    version.to_string()
}

pub(crate) async fn logged_with(
    portal: &TestPortal,
    form: &TicketForm,
    files: &[(&str, &[u8])],
) -> String {
    let response = portal
        .post_multipart(None, "/report/incident", &form_fields(form), files)
        .await;
    status_link(&response)
}

pub(crate) fn header<'a>(response: &'a crate::helpers::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Every download carries the headers that keep it from running as part of
/// the portal, whatever it is.
fn assert_inert(response: &crate::helpers::Response) {
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(response, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    assert_eq!(
        header(response, "cross-origin-resource-policy"),
        "same-origin"
    );
    assert!(header(response, "cache-control").contains("no-store"));
}

pub(crate) async fn staff(portal: &TestPortal) -> Session {
    let admin = portal.admin("root@example.org").await;
    portal.agent(&admin, "Alex Agent", "alex@example.org").await
}

#[tokio::test]
async fn a_screenshot_and_a_log_logged_with_the_form_reach_the_reporter_and_the_desk() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let shot = png(640, 400);
    let link = logged_with(
        &portal,
        &form,
        &[("error dialog.png", &shot), ("vpn.log", LOG)],
    )
    .await;
    let number = number_of_last_ticket(&portal).await;

    let page = portal.get(&link).await.text();
    assert!(page.contains("error dialog.png (PNG image,"), "{page}");
    assert!(
        page.contains(&format!("vpn.log (text, {} bytes)", LOG.len())),
        "{page}"
    );
    let links = file_links(&page);
    assert_eq!(links.len(), 2, "{links:?}");
    assert!(
        page.contains(&format!("{}/thumbnail", links[0])),
        "the image shows as a thumbnail"
    );

    let image = portal.get(&links[0]).await;
    assert_eq!(image.status(), 200);
    assert_eq!(header(&image, "content-type"), "image/png");
    assert_eq!(
        header(&image, "content-disposition"),
        "inline; filename=\"error dialog.png\"; filename*=UTF-8''error%20dialog.png"
    );
    assert_inert(&image);
    assert_eq!(portal.get(&links[0]).await.body_bytes(), shot);

    let thumbnail = portal.get(&format!("{}/thumbnail", links[0])).await;
    assert_eq!(thumbnail.status(), 200);
    assert_eq!(header(&thumbnail, "content-type"), "image/jpeg");
    assert_inert(&thumbnail);
    let small = image::load_from_memory(&thumbnail.body_bytes()).expect("a JPEG");
    assert_eq!((small.width(), small.height()), (320, 200));

    let log = portal.get(&links[1]).await;
    assert_eq!(header(&log, "content-type"), "text/plain; charset=utf-8");
    assert!(header(&log, "content-disposition").starts_with("attachment; filename=\"vpn.log\""));
    assert_inert(&log);
    assert_eq!(log.body_bytes(), LOG);

    // The desk sees the same files under its own address.
    let agent = staff(&portal).await;
    let desk = portal
        .get_as(Some(&agent), &format!("/agent/tickets/{number}"))
        .await
        .text();
    let desk_links = file_links(&desk);
    assert_eq!(desk_links.len(), 2, "{desk}");
    assert!(desk_links[0].starts_with(&format!("/agent/tickets/{number}/files/")));
    let from_desk = portal.get_as(Some(&agent), &desk_links[1]).await;
    assert_eq!(
        (from_desk.status(), from_desk.body_bytes()),
        (200, LOG.to_vec())
    );
}

#[tokio::test]
async fn only_those_whose_page_lists_a_file_may_download_it_and_everyone_else_gets_one_404() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let link = logged_with(&portal, &form, &[("vpn.log", LOG)]).await;
    let number = number_of_last_ticket(&portal).await;
    let page = portal.get(&link).await.text();
    let download = file_links(&page).remove(0);
    let id = download.rsplit('/').next().unwrap().to_string();
    let other_link = logged_with(&portal, &form, &[]).await;
    let other_number = number_of_last_ticket(&portal).await;
    let missing = "0123456789abcdef0123456789abcdef";

    // The file under another ticket's link, a made-up id, another made-up id:
    // all the same 404.
    let mut answers = Vec::new();
    for path in [
        format!("{other_link}/files/{id}"),
        format!("{link}/files/{missing}"),
        format!("{link}/files/{id}x"),
        format!("/status/{}/files/{id}", "a".repeat(43)),
    ] {
        let response = portal.get(&path).await;
        answers.push((response.status(), response.text()));
        assert!(!response.text().contains("error 809"), "{path}");
    }
    assert!(answers.iter().all(|a| a.0 == 404), "{answers:?}");
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    let traversal = portal
        .get(&format!("{link}/files/../../portal.sqlite3"))
        .await;
    assert_eq!(traversal.status(), 404);
    assert!(!traversal.text().contains("SQLite format"));

    // A signed-in stranger, through their own "My tickets" address and the desk's.
    let stranger = portal.end_user("Sam Stranger", "sam@example.org").await;
    for path in [
        format!("/my-tickets/{number}/files/{id}"),
        format!("/my-tickets/{other_number}/files/{id}"),
    ] {
        assert_eq!(
            portal.get_as(Some(&stranger), &path).await.status(),
            404,
            "{path}"
        );
    }
    let desk_path = format!("/agent/tickets/{number}/files/{id}");
    assert_ne!(
        portal.get_as(Some(&stranger), &desk_path).await.status(),
        200
    );
    assert_ne!(portal.get(&desk_path).await.status(), 200);
    // The desk's address names the ticket the file is on, or the file is not found.
    let agent = staff(&portal).await;
    let wrong_ticket = format!("/agent/tickets/{other_number}/files/{id}");
    assert_eq!(
        portal.get_as(Some(&agent), &wrong_ticket).await.status(),
        404
    );
    assert_eq!(portal.get_as(Some(&agent), &desk_path).await.status(), 200);
    // An image's thumbnail is not made up for a log.
    assert_eq!(
        portal.get(&format!("{download}/thumbnail")).await.status(),
        404
    );
}

#[tokio::test]
async fn an_internal_notes_files_stay_on_the_desk_and_a_replys_reach_the_reporter() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let link = logged_with(&portal, &form, &[]).await;
    let number = number_of_last_ticket(&portal).await;
    let agent = staff(&portal).await;
    let desk = format!("/agent/tickets/{number}");
    let version = version_of(&portal, &number).await;
    let note = portal
        .post_multipart(
            Some(&agent),
            &desk,
            &[
                ("version", version.as_str()),
                ("action", "note"),
                ("body", "Trace from the gateway"),
            ],
            &[("gateway-trace.log", b"internal gateway trace 10.1.2.3\n")],
        )
        .await;
    assert_eq!(note.status(), 303, "{}", note.text());
    let version = version_of(&portal, &number).await;
    let reply = portal
        .post_multipart(
            Some(&agent),
            &desk,
            &[
                ("version", version.as_str()),
                ("action", "reply"),
                ("body", "Run this fix, please"),
            ],
            &[("fix.txt", b"netsh interface ipv4 reset\n")],
        )
        .await;
    assert_eq!(reply.status(), 303, "{}", reply.text());

    let desk_page = portal.get_as(Some(&agent), &desk).await.text();
    let desk_links = file_links(&desk_page);
    assert_eq!(desk_links.len(), 2, "{desk_page}");
    let status = portal.get(&link).await.text();
    assert!(status.contains("fix.txt"), "{status}");
    assert!(!status.contains("gateway-trace"), "{status}");
    let reporter_links = file_links(&status);
    assert_eq!(reporter_links.len(), 1);
    // The note's file, asked for through the reporter's link by its id: not found.
    for desk_link in &desk_links {
        let id = desk_link.rsplit('/').next().unwrap();
        let through_link = portal.get(&format!("{link}/files/{id}")).await;
        if reporter_links[0].ends_with(id) {
            assert_eq!(through_link.status(), 200);
            assert_eq!(through_link.body_bytes(), b"netsh interface ipv4 reset\n");
        } else {
            assert_eq!(through_link.status(), 404);
            assert!(!through_link.text().contains("10.1.2.3"));
        }
    }
}

#[tokio::test]
async fn the_owner_adds_information_with_a_file_and_downloads_it_from_my_tickets() {
    let portal = TestPortal::start().await;
    let mut form = portal.with_email_service().await;
    let owner = portal.end_user("Olga Owner", "olga@example.org").await;
    form.name = "Olga Owner".into();
    form.email = "olga@example.org".into();
    let logged = portal
        .post_multipart(Some(&owner), "/report/incident", &form_fields(&form), &[])
        .await;
    assert_eq!(logged.status(), 303, "{}", logged.text());
    let number = number_of_last_ticket(&portal).await;
    let mine = format!("/my-tickets/{number}");
    let version = version_of(&portal, &number).await;
    let added = portal
        .post_multipart(
            Some(&owner),
            &mine,
            &[
                ("version", version.as_str()),
                ("action", "add_information"),
                ("body", "Here is the screen"),
            ],
            &[("screen.png", &png(50, 50))],
        )
        .await;
    assert_eq!(added.status(), 303, "{}", added.text());
    let page = portal.get_as(Some(&owner), &mine).await.text();
    let links = file_links(&page);
    assert_eq!(links.len(), 1, "{page}");
    assert!(links[0].starts_with(&format!("{mine}/files/")));
    assert_eq!(portal.get_as(Some(&owner), &links[0]).await.status(), 200);
    assert_ne!(portal.get(&links[0]).await.status(), 200);
}

#[tokio::test]
async fn a_form_with_problems_keeps_its_files_so_the_next_submit_attaches_them_without_uploading_again(
) {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let broken = TicketForm {
        summary: "x".into(),
        ..form.clone()
    };
    let came_back = portal
        .post_multipart(
            None,
            "/report/incident",
            &form_fields(&broken),
            &[("vpn.log", LOG)],
        )
        .await;
    assert_eq!(came_back.status(), 422);
    let page = came_back.text();
    assert!(
        page.contains(&format!("vpn.log (text, {} bytes)", LOG.len())),
        "{page}"
    );
    let kept = page
        .split("name=\"kept\" value=\"")
        .nth(1)
        .map(|rest| rest[..32].to_string())
        .expect("the file is sent again with the form");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing logged");

    // Fixed, and sent again as a plain form: the kept file comes along.
    let mut fields = form_fields(&form);
    fields.push(("kept", kept.clone()));
    let logged = portal.post_as(None, "/report/incident", &fields).await;
    let link = status_link(&logged);
    let status = portal.get(&link).await.text();
    assert!(status.contains("vpn.log"), "{status}");
    assert_eq!(file_links(&status)[0], format!("{link}/files/{kept}"));
    // Claimed once: the same id cannot be attached to another ticket.
    let again = portal.post_as(None, "/report/incident", &fields).await;
    assert_eq!(again.status(), 422);
    assert!(
        again.text().contains("no longer waiting"),
        "{}",
        again.text()
    );
}

#[tokio::test]
async fn markup_programs_empty_and_oversized_files_are_refused_by_name_and_nothing_is_logged() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec();
    let html_as_png =
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec();
    let program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    let over = vec![b'a'; (25 * MB + 1) as usize];
    let at_limit = vec![b'b'; (25 * MB) as usize];
    let cases: [(&str, &[u8], &str); 6] = [
        (
            "drawing.svg",
            &svg,
            "drawing.svg cannot be attached: it is a web page or markup",
        ),
        (
            "photo.png",
            &html_as_png,
            "photo.png cannot be attached: it is a web page or markup",
        ),
        (
            "setup.exe",
            &program,
            "setup.exe cannot be attached: it is of a type that is not accepted",
        ),
        ("empty.txt", b"", "empty.txt is empty."),
        ("huge.log", &over, "huge.log is larger than 25 MB"),
        (
            "bomb.png",
            &decompression_bomb(),
            "bomb.png cannot be attached: it cannot be read as an image",
        ),
    ];
    for (name, bytes, message) in cases {
        let response = portal
            .post_multipart(
                None,
                "/report/incident",
                &form_fields(&form),
                &[(name, bytes)],
            )
            .await;
        assert_eq!(response.status(), 422, "{name}");
        let page = response.text();
        assert!(page.contains(message), "{name}: {page}");
        assert!(!page.contains("<script>alert"), "{name}");
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // Exactly the limit is fine.
    let link = logged_with(&portal, &form, &[("big.log", &at_limit)]).await;
    assert_eq!(file_links(&portal.get(&link).await.text()).len(), 1);
}

#[tokio::test]
async fn eleven_files_are_one_too_many_and_the_first_ten_are_kept() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let contents: Vec<Vec<u8>> = (0..11)
        .map(|i| format!("log line {i}\n").into_bytes())
        .collect();
    let names: Vec<String> = (0..11).map(|i| format!("part-{i}.log")).collect();
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&contents)
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let response = portal
        .post_multipart(None, "/report/incident", &form_fields(&form), &files)
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text();
    assert!(
        page.contains("part-10.log was left out: a form takes at most 10 files."),
        "{page}"
    );
    assert_eq!(page.matches("name=\"kept\"").count(), 10);
}

#[tokio::test]
async fn a_polyglot_is_served_as_what_its_bytes_are_and_saved_with_a_fitting_name() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let mut polyglot = png(20, 20);
    polyglot.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let awkward = format!("..\\..\\evil\"name\nnext{}.html", "x".repeat(300));
    let link = logged_with(&portal, &form, &[(awkward.as_str(), &polyglot)]).await;
    let page = portal.get(&link).await.text();
    let download = file_links(&page).remove(0);
    let response = portal.get(&download).await;
    assert_eq!(header(&response, "content-type"), "image/png");
    let disposition = header(&response, "content-disposition");
    assert!(
        disposition.starts_with("inline; filename=\""),
        "{disposition}"
    );
    assert!(disposition.ends_with(".html.png"), "{disposition}");
    assert!(
        !disposition.contains('\n') && !disposition.contains(".."),
        "{disposition}"
    );
    assert_eq!(disposition.matches('"').count(), 2, "{disposition}");
    assert_inert(&response);
    let name: String = sqlx::query_scalar("SELECT name FROM attachments")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(name.chars().count(), 200, "{name}");
    assert!(!name.contains(['\\', '/', '\n']), "{name}");
}

#[tokio::test]
async fn the_same_content_sent_at_once_by_many_is_stored_once() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let shot = png(300, 200);
    let fields = form_fields(&form);
    let files = [("same.png", shot.as_slice())];
    let sends = (0..6).map(|_| portal.post_multipart(None, "/report/incident", &fields, &files));
    for response in futures::future::join_all(sends).await {
        assert_eq!(response.status(), 303, "{}", response.text());
    }
    let (attachments, stored): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM attachments), (SELECT count(*) FROM stored_files)",
    )
    .fetch_one(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!((attachments, stored), (6, 1));
    let files = portal.data_dir().join("files");
    let on_disk: usize = std::fs::read_dir(&files)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "tmp")
        .map(|e| std::fs::read_dir(e.path()).unwrap().count())
        .sum();
    assert_eq!(on_disk, 2, "the image and its thumbnail");
}

#[tokio::test]
async fn an_upload_cut_off_half_way_leaves_nothing_and_a_restart_removes_what_no_row_names() {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    // The body breaks off in the middle of the file.
    let (content_type, body) = crate::helpers::multipart_body(
        &form_fields(&form),
        &[("big.log", &vec![b'z'; 2 * MB as usize])],
    );
    let half = body[..body.len() / 2].to_vec();
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(axum::body::Bytes::from(half)),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "gone",
        )),
    ]);
    let request = axum::http::Request::post("/report/incident")
        .header("host", TestPortal::HOST)
        .header("content-type", content_type)
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from_stream(stream))
        .unwrap();
    let response = portal.send(request).await;
    assert_eq!(response.status(), 400, "{}", response.text());
    let files = portal.data_dir().join("files");
    assert_eq!(std::fs::read_dir(files.join("tmp")).unwrap().count(), 0);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM attachments")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert_eq!(rows, 0);

    // One file that is attached, and leftovers of a crash: a temporary file and
    // a stored file whose row never committed.
    let link = logged_with(&portal, &form, &[("vpn.log", LOG)]).await;
    std::fs::write(files.join("tmp").join("half-written"), b"half").unwrap();
    std::fs::create_dir_all(files.join("ff")).unwrap();
    std::fs::write(files.join("ff").join("f".repeat(64)), b"orphan").unwrap();
    let dir = portal.stop().await;
    let portal = TestPortal::start_in(dir, false).await;
    assert_eq!(std::fs::read_dir(files.join("tmp")).unwrap().count(), 0);
    assert!(!files.join("ff").join("f".repeat(64)).exists());
    let page = portal.get(&link).await.text();
    let download = portal.get(&file_links(&page)[0]).await;
    assert_eq!(
        (download.status(), download.body_bytes()),
        (200, LOG.to_vec())
    );
}

#[tokio::test]
async fn a_major_incidents_update_brings_its_files_to_linked_reporters_and_followers_and_nothing_else(
) {
    let portal = TestPortal::start().await;
    let form = portal.with_email_service().await;
    let major_link = logged_with(
        &portal,
        &form,
        &[("my-private-notes.txt", b"REPORTER-PRIVATE\n")],
    )
    .await;
    let major = number_of_last_ticket(&portal).await;
    let linked_link = logged_with(&portal, &form, &[]).await;
    let linked = number_of_last_ticket(&portal).await;
    let agent = staff(&portal).await;
    let act = |number: String, fields: Vec<(&'static str, String)>| {
        let portal = &portal;
        let agent = agent.clone();
        async move {
            let mut all = vec![("version", version_of(portal, &number).await)];
            all.extend(fields);
            portal
                .post_as(Some(&agent), &format!("/agent/tickets/{number}"), &all)
                .await
        }
    };
    let declared = act(
        major.clone(),
        vec![
            ("action", "declare_major".into()),
            ("reason", "Everyone".into()),
        ],
    )
    .await;
    assert_eq!(declared.status(), 303, "{}", declared.text());
    let part_of = act(
        linked.clone(),
        vec![
            ("action", "link".into()),
            ("link_kind", "major_incident".into()),
            ("link_target", major.clone()),
        ],
    )
    .await;
    assert_eq!(part_of.status(), 303, "{}", part_of.text());
    let mut follow = form.clone();
    follow.name = "Fay Follower".into();
    follow.email = "fay@example.com".into();
    follow.join = major.clone();
    let joined = portal.submit("incident", &follow).await;
    let follow_link = location(&joined).split('?').next().unwrap().to_string();

    let version = version_of(&portal, &major).await;
    let update = portal
        .post_multipart(
            Some(&agent),
            &format!("/agent/tickets/{major}"),
            &[
                ("version", version.as_str()),
                ("action", "reply"),
                ("body", "Workaround attached"),
            ],
            &[("workaround.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")],
        )
        .await;
    assert_eq!(update.status(), 303, "{}", update.text());

    for link in [&linked_link, &follow_link] {
        let page = portal.get(link).await.text();
        assert!(
            page.contains("workaround.pdf (PDF document"),
            "{link}: {page}"
        );
        assert!(!page.contains("my-private-notes"), "{link}");
        let links = file_links(&page);
        assert_eq!(links.len(), 1, "{link}: {links:?}");
        let pdf = portal.get(&links[0]).await;
        assert_eq!(pdf.status(), 200, "{link}");
        assert_eq!(header(&pdf, "content-type"), "application/pdf");
        assert!(header(&pdf, "content-disposition").starts_with("attachment;"));
    }
    // The major incident's reporter's own file, by its id, through the follower's link.
    let reporters = file_links(&portal.get(&major_link).await.text());
    assert_eq!(reporters.len(), 2, "{reporters:?}");
    for id in reporters.iter().map(|l| l.rsplit('/').next().unwrap()) {
        let through_follow = portal.get(&format!("{follow_link}/files/{id}")).await;
        let private = portal.get(&format!("{major_link}/files/{id}")).await;
        if private.body_bytes() == b"REPORTER-PRIVATE\n" {
            assert_eq!(through_follow.status(), 404);
        }
    }
}

#[tokio::test]
async fn the_admins_rules_hold_every_upload_from_the_next_one_on_and_survive_a_restart() {
    let portal = TestPortal::start().await;
    let admin = portal.admin("root@example.org").await;
    let form = portal.with_email_service().await;
    // A mistake is named at its input and changes nothing.
    let refused = portal
        .post_as(
            Some(&admin),
            "/admin/attachments",
            &[
                ("per_file_mb", "0"),
                ("per_ticket_mb", "5"),
                ("kind", "pdf"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .contains("Give the largest file in whole MB, from 1 to 100."));
    assert_eq!(
        portal.state.attachment_rules.get(),
        app::domain::AttachmentRules::default()
    );
    let saved = portal
        .post_as(
            Some(&admin),
            "/admin/attachments",
            &[
                ("per_file_mb", "1"),
                ("per_ticket_mb", "2"),
                ("kind", "images"),
            ],
        )
        .await;
    assert_eq!(location(&saved), "/admin/attachments?done=saved");
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(
        audit.contains("largest file: 25 MB → 1 MB; per ticket: 100 MB → 2 MB"),
        "{audit}"
    );
    // The form says so, and offers only images.
    let page = portal.get("/report/incident").await.text();
    assert!(
        page.contains("Up to 10 files of at most 1 MB each: images (PNG, JPEG, GIF, WebP)."),
        "{page}"
    );
    assert!(page.contains("accept=\".png,.jpg,.jpeg,.gif,.webp\""));
    assert!(page.contains(&format!("data-per-file=\"{MB}\"")));
    // A log is no longer accepted, nor is a file over 1 MB; an image is.
    let big = vec![b'a'; (MB + 1) as usize];
    for (name, bytes, message) in [
        (
            "vpn.log",
            LOG,
            "vpn.log cannot be attached: it is of a type that is not accepted",
        ),
        ("big.png", &big[..], "big.png is larger than 1 MB"),
    ] {
        let response = portal
            .post_multipart(
                None,
                "/report/incident",
                &form_fields(&form),
                &[(name, bytes)],
            )
            .await;
        assert_eq!(response.status(), 422, "{name}");
        assert!(response.text().contains(message), "{name}");
    }
    let link = logged_with(&portal, &form, &[("shot.png", &png(40, 30))]).await;
    assert_eq!(file_links(&portal.get(&link).await.text()).len(), 1);
    // A body larger than a ticket may hold is refused before it is read.
    let too_much = vec![b'a'; (2 * MB) as usize];
    let response = portal
        .post_multipart(
            None,
            "/report/incident",
            &form_fields(&form),
            &[("a.png", &too_much), ("b.png", &too_much)],
        )
        .await;
    assert_eq!(response.status(), 413);
    // The rules are read again at start.
    let dir = portal.stop().await;
    let portal = TestPortal::start_in(dir, false).await;
    assert_eq!(portal.state.attachment_rules.get().per_file, MB);
    let page = portal.get("/report/incident").await.text();
    assert!(page.contains("at most 1 MB each"));
}

/// The revision an article's editor opens at.
async fn revision_of(portal: &TestPortal, slug: &str) -> String {
    let revision: i64 = sqlx::query_scalar("SELECT revision FROM articles WHERE slug = ?")
        .bind(slug)
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    revision.to_string()
}

/// The article form's fields for a FAQ about the e-mail service.
fn faq_fields<'a>(
    title: &'a str,
    answer: &'a str,
    visibility: &'a str,
    revision: &'a str,
    intent: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("kind", "faq"),
        ("revision", revision),
        ("title", title),
        ("service", "email"),
        ("visibility", visibility),
        ("keywords", ""),
        ("answer", answer),
        ("intent", intent),
    ]
}

#[tokio::test]
async fn an_articles_files_show_in_its_text_and_reach_exactly_those_who_may_read_it() {
    let portal = TestPortal::start().await;
    portal.with_email_service().await;
    let admin = portal.admin("root@example.org").await;
    let user = portal.end_user("Uma User", "uma@example.com").await;
    let shot = png(640, 400);
    // A draft with a screenshot and a log.
    let saved = portal
        .post_multipart(
            Some(&admin),
            "/knowledge/new",
            &faq_fields(
                "Outlook asks for the password again",
                "Draft.",
                "signed_in",
                "0",
                "save",
            ),
            &[("prompt.png", &shot), ("outlook.log", LOG)],
        )
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    let slug = "outlook-asks-for-the-password-again";
    let editor = portal
        .get_as(Some(&admin), &format!("/knowledge/articles/{slug}"))
        .await
        .text();
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT public_id FROM attachments WHERE article_id IS NOT NULL ORDER BY id",
    )
    .fetch_all(&portal.state.db.reader)
    .await
    .unwrap();
    assert_eq!(ids.len(), 2);
    let (image, log) = (&ids[0], &ids[1]);
    assert!(
        editor.contains(&format!("![prompt.png](files/{image})")),
        "{editor}"
    );
    assert!(editor.contains(&format!("[outlook.log](files/{log})")));
    // A draft's files are for the desk only.
    let address = |id: &str| format!("/articles/{slug}/files/{id}");
    assert_eq!(
        portal.get_as(Some(&user), &address(log)).await.status(),
        404
    );
    assert_eq!(
        portal
            .get_as(Some(&admin), &address(log))
            .await
            .body_bytes(),
        LOG
    );
    // Published for signed-in users, the text showing the image.
    let answer = format!(
        "It looks like this:\n\n![the prompt](files/{image})\n\nSend us [the log](files/{log})."
    );
    let revision = revision_of(&portal, slug).await;
    let published = portal
        .post_as(
            Some(&admin),
            &format!("/knowledge/articles/{slug}"),
            &faq_fields(
                "Outlook asks for the password again",
                &answer,
                "signed_in",
                &revision,
                "publish",
            ),
        )
        .await;
    assert_eq!(published.status(), 303, "{}", published.text());
    let page = portal
        .get_as(Some(&user), &format!("/articles/{slug}"))
        .await
        .text();
    assert!(
        page.contains(&format!("src=\"/articles/{slug}/files/{image}\"")),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/articles/{slug}/files/{log}\"")));
    let download = portal.get_as(Some(&user), &address(image)).await;
    assert_eq!(download.status(), 200);
    assert_inert(&download);
    assert_eq!(download.body_bytes(), shot);
    let thumbnail = portal
        .get_as(Some(&user), &format!("{}/thumbnail", address(image)))
        .await;
    assert_eq!(thumbnail.status(), 200);
    // A visitor is asked to sign in, as on the page; another article's address
    // and an unknown id are the same 404.
    assert_eq!(portal.get(&address(log)).await.status(), 401);
    portal
        .add_faq("other", "email", "Another question", "Another answer.")
        .await;
    assert_eq!(
        portal
            .get_as(Some(&user), &format!("/articles/other/files/{log}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        portal
            .get_as(Some(&user), &address("0123456789abcdef0123456789abcdef"))
            .await
            .status(),
        404
    );
    // Taking the log off: gone from the article and its address, and audited.
    let revision = revision_of(&portal, slug).await;
    let mut fields = faq_fields(
        "Outlook asks for the password again",
        "It looks like this.",
        "signed_in",
        &revision,
        "publish",
    );
    fields.push(("remove_file", log.as_str()));
    let removed = portal
        .post_as(
            Some(&admin),
            &format!("/knowledge/articles/{slug}"),
            &fields,
        )
        .await;
    assert_eq!(removed.status(), 303, "{}", removed.text());
    assert_eq!(
        portal.get_as(Some(&user), &address(log)).await.status(),
        404
    );
    assert_eq!(
        portal.get_as(Some(&user), &address(image)).await.status(),
        200
    );
    let audit = portal.get_as(Some(&admin), "/admin/audit").await.text();
    assert!(
        audit.contains("files added: prompt.png, outlook.log"),
        "{audit}"
    );
    assert!(audit.contains("files removed: outlook.log"));
}

#[tokio::test]
async fn an_article_form_with_problems_keeps_its_files_and_a_refused_file_is_named() {
    let portal = TestPortal::start().await;
    portal.with_email_service().await;
    let admin = portal.admin("root@example.org").await;
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
    let response = portal
        .post_multipart(
            Some(&admin),
            "/knowledge/new",
            &faq_fields("", "An answer.", "public", "0", "publish"),
            &[("steps.log", LOG), ("diagram.svg", svg)],
        )
        .await;
    assert_eq!(response.status(), 422);
    let page = response.text();
    assert!(
        page.contains("diagram.svg cannot be attached: it is a web page or markup"),
        "{page}"
    );
    assert!(page.contains("Already sent with this form"));
    let kept: String = sqlx::query_scalar("SELECT public_id FROM attachments")
        .fetch_one(&portal.state.db.reader)
        .await
        .unwrap();
    assert!(page.contains(&format!("value=\"{kept}\"")));
    let mut fields = faq_fields("Where is the log?", "An answer.", "public", "0", "publish");
    fields.push(("kept", kept.as_str()));
    let saved = portal
        .post_as(Some(&admin), "/knowledge/new", &fields)
        .await;
    assert_eq!(saved.status(), 303, "{}", saved.text());
    let article: Option<i64> =
        sqlx::query_scalar("SELECT article_id FROM attachments WHERE public_id = ?")
            .bind(&kept)
            .fetch_one(&portal.state.db.reader)
            .await
            .unwrap();
    assert!(article.is_some());
}
