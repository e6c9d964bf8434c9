//! Mensagens rápidas: CRUD and validation, who sees which, their files (upload, download, removal)
//! and sending a message with a quick reply's file.

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Desk, TestApp, assert_error, desk, read};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, reply) = app.post("/api/v1/quick-replies", token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    reply
}

fn id_of(reply: &Value) -> i64 {
    reply["id"].as_i64().expect("quick reply id")
}

/// The shortcuts of a list answer, in order.
fn shortcuts(page: &Value) -> Vec<String> {
    page["items"].as_array().expect("items").iter().map(|r| r["shortcut"].as_str().unwrap_or("").to_owned()).collect()
}

async fn list(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (status, page) = app.get(&format!("/api/v1/quick-replies{query}"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    shortcuts(&page)
}

async fn put_file(app: &TestApp, token: &str, id: i64, bytes: Vec<u8>, name: &str) -> (StatusCode, Value) {
    let form =
        reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
    let response = app
        .client
        .put(app.url(&format!("/api/v1/quick-replies/{id}/file")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    read(response).await
}

/// Every file under the data dir's `media/`.
fn media_files(app: &TestApp) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() { walk(&path, out) } else { out.push(path) }
        }
    }
    let mut out = Vec::new();
    walk(&app.state.config.data_dir.join("media"), &mut out);
    out
}

#[tokio::test]
async fn admins_create_read_change_and_delete_quick_replies() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let greeting =
        create(&app, &admin, json!({"shortcut": " /BomDia ", "body": "{{saudacao}}, {{primeiro_nome}}!"})).await;
    assert_eq!(
        (&greeting["shortcut"], &greeting["body"], &greeting["queue_id"], &greeting["file"]),
        (&json!("bomdia"), &json!("{{saudacao}}, {{primeiro_nome}}!"), &Value::Null, &Value::Null)
    );
    let id = id_of(&greeting);
    let (status, read_back) = app.get(&format!("/api/v1/quick-replies/{id}"), &admin).await;
    assert_eq!((status, &read_back), (StatusCode::OK, &greeting));

    // A change of text and scope; null makes it company-wide again; absent fields stay.
    let (status, changed) =
        app.patch(&format!("/api/v1/quick-replies/{id}"), &admin, json!({"body": "Olá!", "queue_id": queue})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(
        (&changed["body"], &changed["queue_id"], &changed["shortcut"]),
        (&json!("Olá!"), &json!(queue), &json!("bomdia"))
    );
    let (_, changed) = app.patch(&format!("/api/v1/quick-replies/{id}"), &admin, json!({"queue_id": null})).await;
    assert_eq!((&changed["queue_id"], &changed["body"]), (&Value::Null, &json!("Olá!")));

    // The list pages like the others and filters by the start of the shortcut or any part of the text.
    create(&app, &admin, json!({"shortcut": "pix", "body": "Nossa chave Pix é o CNPJ."})).await;
    create(&app, &admin, json!({"shortcut": "prazo", "body": "O prazo de entrega é de 5 dias.", "queue_id": queue}))
        .await;
    assert_eq!(list(&app, &admin, "").await, ["bomdia", "pix", "prazo"]);
    assert_eq!(list(&app, &admin, "?q=p").await, ["pix", "prazo"]);
    assert_eq!(list(&app, &admin, "?q=%2FPR").await, ["prazo"], "a leading / and the case do not matter");
    assert_eq!(list(&app, &admin, "?q=entrega").await, ["prazo"], "words of the text");
    assert_eq!(list(&app, &admin, "?q=omdia").await, Vec::<String>::new(), "the shortcut matches from its start");
    assert_eq!(list(&app, &admin, "?q=p%25x").await, Vec::<String>::new(), "% is no wildcard");
    let (_, first) = app.get("/api/v1/quick-replies?limit=2", &admin).await;
    assert_eq!(shortcuts(&first), ["bomdia", "pix"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    assert_eq!(list(&app, &admin, &format!("?limit=2&cursor={cursor}")).await, ["prazo"]);

    let (status, _) = app.delete(&format!("/api/v1/quick-replies/{id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&format!("/api/v1/quick-replies/{id}"), &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.delete(&format!("/api/v1/quick-replies/{id}"), &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn shortcuts_are_checked_and_unique_in_their_scope() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let queue = app.queue(&admin, "Suporte").await;
    let other_queue = app.queue(&admin, "Vendas").await;
    let refused = |shortcut: &str, body: &str, queue_id: Value| {
        let request = json!({"shortcut": shortcut, "body": body, "queue_id": queue_id});
        let app = &app;
        let admin = &admin;
        async move {
            let (status, answer) = app.post("/api/v1/quick-replies", admin, request).await;
            assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
            answer["error"]["details"].clone()
        }
    };
    assert_eq!(refused("bom dia", "x", Value::Null).await["shortcut"]["code"], "contains_spaces");
    assert_eq!(refused("/", "x", Value::Null).await["shortcut"]["code"], "required");
    let details = refused(&"x".repeat(33), "   ", Value::Null).await;
    assert_eq!((&details["shortcut"]["code"], &details["shortcut"]["max"]), (&json!("too_long"), &json!(32)));
    assert_eq!(details["body"]["code"], "required");
    assert_eq!(refused("ok", "x", json!(99_999)).await["queue_id"]["code"], "not_in_company");
    let (status, body) = app.post("/api/v1/quick-replies", &admin, json!({"shortcut": "x"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");

    // One `/oi` for the company, one per queue; a second in the same scope is taken, in any case.
    create(&app, &admin, json!({"shortcut": "oi", "body": "Olá!"})).await;
    assert_eq!(refused("/OI", "Oi de novo", Value::Null).await["shortcut"]["code"], "already_in_use");
    let in_queue = create(&app, &admin, json!({"shortcut": "oi", "body": "Olá, Suporte!", "queue_id": queue})).await;
    assert_eq!(refused("oi", "Outra", json!(queue)).await["shortcut"]["code"], "already_in_use");
    create(&app, &admin, json!({"shortcut": "oi", "body": "Olá, Vendas!", "queue_id": other_queue})).await;

    // A change into a taken shortcut, or with an unknown field, is refused and changes nothing.
    let id = id_of(&in_queue);
    let (status, body) = app.patch(&format!("/api/v1/quick-replies/{id}"), &admin, json!({"queue_id": null})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["shortcut"]["code"], "already_in_use");
    let (status, body) = app.patch(&format!("/api/v1/quick-replies/{id}"), &admin, json!({"text": "x"})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, body) =
        app.patch(&format!("/api/v1/quick-replies/{id}"), &admin, json!({"shortcut": "a b", "body": ""})).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["body"]["code"], "required");
    let (_, unchanged) = app.get(&format!("/api/v1/quick-replies/{id}"), &admin).await;
    assert_eq!(unchanged, in_queue);
}

#[tokio::test]
async fn agents_see_the_company_wide_and_their_queues_replies_and_write_none() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let mine = app.queue(&admin, "Suporte").await;
    let theirs = app.queue(&admin, "Vendas").await;
    create(&app, &admin, json!({"shortcut": "oi", "body": "Olá!"})).await;
    create(&app, &admin, json!({"shortcut": "suporte", "body": "Suporte aqui.", "queue_id": mine})).await;
    let sales = create(&app, &admin, json!({"shortcut": "vendas", "body": "Vendas aqui.", "queue_id": theirs})).await;
    let sales_id = id_of(&sales);
    let (status, body) = put_file(&app, &admin, sales_id, PNG.to_vec(), "tabela.png").await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (_, agent) = app.user(&admin, "agente@test.local", "agent", &[mine]).await;
    assert_eq!(list(&app, &agent, "").await, ["oi", "suporte"]);
    assert_eq!(list(&app, &agent, "?q=v").await, Vec::<String>::new());
    for path in [format!("/api/v1/quick-replies/{sales_id}"), format!("/api/v1/quick-replies/{sales_id}/file")] {
        let (status, body) = app.get(&path, &agent).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (_, queueless) = app.user(&admin, "semfila@test.local", "agent", &[]).await;
    assert_eq!(list(&app, &queueless, "").await, ["oi"], "an agent of no queue: the company-wide ones");
    let (_, supervisor) = app.user(&admin, "supervisora@test.local", "supervisor", &[]).await;
    assert_eq!(list(&app, &supervisor, "").await, ["oi", "suporte", "vendas"]);

    // Only administrators write: not agents, not supervisors.
    for token in [&agent, &supervisor] {
        let (status, body) =
            app.post("/api/v1/quick-replies", token, json!({"shortcut": "meu", "body": "Meu texto"})).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    }
    let own = list(&app, &admin, "?q=suporte").await;
    assert_eq!(own, ["suporte"]);
    let (_, page) = app.get("/api/v1/quick-replies?q=suporte", &admin).await;
    let own_id = id_of(&page["items"][0]);
    let (status, body) = app.patch(&format!("/api/v1/quick-replies/{own_id}"), &agent, json!({"body": "x"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.delete(&format!("/api/v1/quick-replies/{own_id}"), &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = put_file(&app, &agent, own_id, PNG.to_vec(), "x.png").await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = app.delete(&format!("/api/v1/quick-replies/{own_id}/file"), &agent).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    // Another company sees none of them, and cannot reach one by its id.
    let (status, created) = app
        .post(
            "/api/v1/companies",
            &admin,
            json!({"name": "Outra", "admin": {"name": "Olga", "email": "olga@outra.test", "password": "olga-secret-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let olga = app.login("olga@outra.test", "olga-secret-1").await;
    assert_eq!(list(&app, &olga, "").await, Vec::<String>::new());
    for path in [format!("/api/v1/quick-replies/{sales_id}"), format!("/api/v1/quick-replies/{sales_id}/file")] {
        let (status, body) = app.get(&path, &olga).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let (status, body) = app.patch(&format!("/api/v1/quick-replies/{sales_id}"), &olga, json!({"body": "x"})).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = app.delete(&format!("/api/v1/quick-replies/{sales_id}"), &olga).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    // Her own `/oi` does not collide with this company's.
    create(&app, &olga, json!({"shortcut": "oi", "body": "Oi da Outra"})).await;
}

#[tokio::test]
async fn a_quick_replys_file_is_checked_served_replaced_and_removed() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let reply = create(&app, &admin, json!({"shortcut": "catalogo", "body": "Segue o catálogo."})).await;
    let id = id_of(&reply);

    // The name says PDF, the bytes say PNG: the bytes win, the name loses its path.
    let (status, with_file) = put_file(&app, &admin, id, PNG.to_vec(), "../../catalogo.pdf").await;
    assert_eq!(status, StatusCode::OK, "{with_file}");
    let file = &with_file["file"];
    assert_eq!((&file["name"], &file["mime"]), (&json!("catalogo.pdf"), &json!("image/png")));
    let url = file["url"].as_str().expect("file url").to_owned();
    assert_eq!(url, format!("/api/v1/quick-replies/{id}/file"));
    let response = app.client.get(app.url(&url)).bearer_auth(&admin).send().await.expect("download");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers()["content-disposition"].to_str().unwrap_or("").starts_with("inline"));
    assert_eq!(response.bytes().await.expect("bytes").as_ref(), PNG);
    let (_, listed) = app.get("/api/v1/quick-replies", &admin).await;
    assert_eq!(listed["items"][0]["file"], with_file["file"]);
    assert_eq!(media_files(&app).len(), 1);

    // A replacement takes the old file's place on disk; a page is never served as one.
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let (status, replaced) = put_file(&app, &admin, id, html.clone(), "pagina.html").await;
    assert_eq!(status, StatusCode::OK, "{replaced}");
    let files = media_files(&app);
    assert_eq!(files.len(), 1, "the replaced file is gone: {files:?}");
    assert_eq!(std::fs::read(&files[0]).ok(), Some(html));
    let response = app.client.get(app.url(&url)).bearer_auth(&admin).send().await.expect("download");
    assert_eq!(response.headers()["content-type"], "application/octet-stream");
    assert!(response.headers()["content-disposition"].to_str().unwrap_or("").starts_with("attachment"));

    // Refused uploads change nothing.
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0\x01".to_vec();
    elf.resize(64, 0);
    let (status, body) = put_file(&app, &admin, id, elf, "programa").await;
    assert_error(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let (status, body) = put_file(&app, &admin, id, Vec::new(), "vazio.txt").await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    let (status, body) = put_file(&app, &admin, id, vec![b'a'; 16 * 1024 * 1024 + 1], "grande.txt").await;
    assert_error(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let form = reqwest::multipart::Form::new().text("body", "sem arquivo");
    let response = app
        .client
        .put(app.url(&format!("/api/v1/quick-replies/{id}/file")))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
    assert_eq!(body["error"]["details"]["file"]["code"], "file_required");
    let (status, body) =
        app.send(Method::PUT, &format!("/api/v1/quick-replies/{id}/file"), Some(&admin), Some(json!({}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "malformed_multipart");
    assert_eq!(media_files(&app).len(), 1);
    let (status, body) = put_file(&app, &admin, 99_999, PNG.to_vec(), "x.png").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(media_files(&app).len(), 1, "nothing kept for a reply that does not exist");

    // Removing the file keeps the text and empties the disk.
    let (status, without) = app.delete(&format!("/api/v1/quick-replies/{id}/file"), &admin).await;
    assert_eq!(status, StatusCode::OK, "{without}");
    assert_eq!((&without["file"], &without["body"]), (&Value::Null, &json!("Segue o catálogo.")));
    assert!(media_files(&app).is_empty());
    let (status, body) = app.get(&url, &admin).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    // Deleting a reply, or its queue, deletes its file.
    let (status, _) = put_file(&app, &admin, id, PNG.to_vec(), "a.png").await;
    assert_eq!(status, StatusCode::OK);
    app.delete(&format!("/api/v1/quick-replies/{id}"), &admin).await;
    assert!(media_files(&app).is_empty());
    let queue = app.queue(&admin, "Vendas").await;
    let in_queue = create(&app, &admin, json!({"shortcut": "tabela", "body": "Tabela", "queue_id": queue})).await;
    let (status, _) = put_file(&app, &admin, id_of(&in_queue), PNG.to_vec(), "tabela.png").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.delete(&format!("/api/v1/queues/{queue}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("/api/v1/quick-replies/{}", id_of(&in_queue)), &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(media_files(&app).is_empty());
}

#[tokio::test]
async fn a_message_sent_with_a_quick_reply_gets_a_copy_of_its_file() {
    let Desk { app, admin, queue, connection } = desk().await;
    let (_, agent) = app.user(&admin, "agente@test.local", "agent", &[queue]).await;
    let ticket = app.inbound(&admin, connection, "11987654321", "Quero o catálogo").await;
    let (status, _) = app.act(&agent, ticket, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let reply =
        create(&app, &admin, json!({"shortcut": "catalogo", "body": "Segue o catálogo.", "queue_id": queue})).await;
    let reply_id = id_of(&reply);
    put_file(&app, &admin, reply_id, PNG.to_vec(), "catalogo.png").await;
    let messages = format!("/api/v1/tickets/{ticket}/messages");

    let (status, message) =
        app.post(&messages, &agent, json!({"body": "Segue o catálogo, Cliente.", "quick_reply_id": reply_id})).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(
        (&message["kind"], &message["media_name"], &message["media_mime"]),
        (&json!("image"), &json!("catalogo.png"), &json!("image/png"))
    );
    assert!(message["body"].as_str().is_some_and(|b| b.ends_with("Segue o catálogo, Cliente.")), "{message}");
    let media_url = message["media_url"].as_str().expect("media url").to_owned();

    // The message keeps its own copy: deleting the quick reply does not take it away.
    let (status, _) = app.delete(&format!("/api/v1/quick-replies/{reply_id}"), &admin).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let response = app.client.get(app.url(&media_url)).bearer_auth(&agent).send().await.expect("media");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.expect("bytes").as_ref(), PNG);

    // A reply without a file sends the text alone; the file alone needs no text.
    let text_only = create(&app, &admin, json!({"shortcut": "oi", "body": "Olá!"})).await;
    let (status, message) =
        app.post(&messages, &agent, json!({"body": "Olá, Cliente!", "quick_reply_id": id_of(&text_only)})).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!((&message["kind"], &message["media_url"]), (&json!("text"), &Value::Null));
    let with_file = create(&app, &admin, json!({"shortcut": "foto", "body": "Foto"})).await;
    put_file(&app, &admin, id_of(&with_file), PNG.to_vec(), "foto.png").await;
    let (status, message) = app.post(&messages, &agent, json!({"body": "", "quick_reply_id": id_of(&with_file)})).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["kind"], "image");

    // A reply of another queue, or one that does not exist, is refused as a field; nothing is sent.
    let other_queue = app.queue(&admin, "Vendas").await;
    let theirs = create(&app, &admin, json!({"shortcut": "vendas", "body": "Vendas", "queue_id": other_queue})).await;
    put_file(&app, &admin, id_of(&theirs), PNG.to_vec(), "vendas.png").await;
    let files_before = media_files(&app).len();
    for refused in [id_of(&theirs), reply_id] {
        let (status, body) = app.post(&messages, &agent, json!({"body": "x", "quick_reply_id": refused})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_field");
        assert_eq!(body["error"]["details"]["quick_reply_id"]["code"], "not_in_company");
    }
    assert_eq!(media_files(&app).len(), files_before, "no copy kept for a refused message");
    let (_, thread) = app.get(&messages, &agent).await;
    let sent: Vec<&Value> = thread["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|m| m["from_me"] == true && m["kind"] != "system")
        .collect();
    assert_eq!(sent.len(), 3, "{thread}");
}
